'use strict';
// The package entry: the compiled addon (native-addon.ts types and loads it). A .node file can
// only be loaded with require().
// eslint-disable-next-line @typescript-eslint/no-require-imports
module.exports = require('./build/Release/regsweep_native.node');
