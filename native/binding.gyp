{
  "targets": [
    {
      "target_name": "regsweep_native",
      "sources": [
        "src/addon.c",
        "src/napi-args.c",
        "src/gemm.c",
        "src/gemm-tasks.c",
        "src/elementwise.c",
        "src/reduce.c",
        "src/dropout-mask.c",
        "src/training-step.c",
        "src/inference.c",
        "src/dense-layer.c"
      ],
      "cflags": ["-O3", "-std=c11", "-Wall", "-Wextra", "-fno-math-errno", "-ffp-contract=off", "-fvisibility=hidden"],
      "cflags!": ["-O2"],
      "libraries": ["-lopenblas", "-lpthread"],
      # Resolve every OpenBLAS symbol when the addon loads: a wrong libopenblas then fails the
      # require(), and regsweep falls back to wasm, instead of crashing mid-training.
      "ldflags": ["-Wl,-z,now"]
    }
  ]
}
