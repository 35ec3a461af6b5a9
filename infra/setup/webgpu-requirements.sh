#!/usr/bin/env bash
# Prints the Debian packages the webgpu engine still needs for software rendering here (Dawn's
# OpenGL ES backend on Mesa's llvmpipe), one line, space-separated; prints nothing when all are
# present. Dawn opens the unversioned libEGL.so, which only libegl-dev provides; the list is
# the one training/webgpu-engine.ts names when it finds no adapter.
need=()
# Asked of the dynamic linker's cache, not of a path pattern: Chromium ships a private
# /usr/lib/chromium/libEGL.so that the loader never finds.
libs="$(/sbin/ldconfig -p 2>/dev/null)"
grep -qE '^[[:space:]]+libEGL\.so ' <<<"$libs" || need+=(libegl-dev)
grep -qE '^[[:space:]]+libEGL_mesa\.so\.0 ' <<<"$libs" || need+=(libegl-mesa0)
compgen -G '/usr/lib/*/dri/swrast_dri.so' >/dev/null || need+=(libgl1-mesa-dri)
echo "${need[*]}"
