// MUSTER_CHECK: aborts loudly on a broken invariant (a bug), never for expected failures.
#pragma once

#include <cstdio>
#include <cstdlib>

#define MUSTER_CHECK(cond)                                                              \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "FATAL %s:%d check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                     \
    }                                                                                   \
  } while (0)
