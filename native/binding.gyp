{
  "targets": [
    {
      "target_name": "regsweep_native",
      "sources": [
        "src/addon.c",
        "src/napi-args.c",
        "src/gemm.c",
        "src/elementwise.c",
        "src/reduce.c",
        "src/dropout-mask.c"
      ],
      "cflags": ["-O3", "-std=c11", "-Wall", "-Wextra", "-fno-math-errno", "-fvisibility=hidden"],
      "cflags!": ["-O2"],
      "libraries": ["-lopenblas"]
    }
  ]
}
