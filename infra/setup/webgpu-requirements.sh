#!/usr/bin/env bash
# Prints the Debian packages the webgpu engine still needs for software rendering here (Dawn's
# OpenGL ES backend on Mesa's llvmpipe), one line, space-separated; prints nothing when all are
# present. Dawn opens the unversioned libEGL.so, which only libegl-dev provides; the list is
# the one training/webgpu-engine.ts names when it finds no adapter.
need=()
compgen -G '/usr/lib/*/libEGL.so' >/dev/null || [ -e /usr/lib/libEGL.so ] || need+=(libegl-dev)
compgen -G '/usr/lib/*/libEGL_mesa.so.0' >/dev/null || need+=(libegl-mesa0)
compgen -G '/usr/lib/*/dri/swrast_dri.so' >/dev/null || need+=(libgl1-mesa-dri)
echo "${need[*]}"
