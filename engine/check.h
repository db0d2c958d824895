// CRENEAU_CHECK: invariant assertions that stay on in release builds.
//
// An invariant that does not hold means the engine's state can no longer be
// trusted to keep bookings right; the only safe reaction is to stop the
// process before it acknowledges anything else. Recovery reloads the last
// durable state.
#ifndef CRENEAU_ENGINE_CHECK_H_
#define CRENEAU_ENGINE_CHECK_H_

#include <cstdio>
#include <cstdlib>

namespace creneau::internal {

[[noreturn]] inline void CheckFailed(const char* condition, const char* file,
                                     int line) {
  std::fprintf(stderr, "%s:%d: invariant violated: %s\n", file, line,
               condition);
  std::fflush(stderr);
  std::abort();
}

}  // namespace creneau::internal

#define CRENEAU_CHECK(condition)                                        \
  do {                                                                  \
    if (__builtin_expect(!(condition), 0)) {                            \
      ::creneau::internal::CheckFailed(#condition, __FILE__, __LINE__); \
    }                                                                   \
  } while (0)

#endif  // CRENEAU_ENGINE_CHECK_H_
