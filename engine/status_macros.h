// RETURN_IF_ERROR and ASSIGN_OR_RETURN for absl::Status / absl::StatusOr.
//
// Debian 12's Abseil (20220623) ships no status macros; these two are the
// project's only ones.
#ifndef CRENEAU_ENGINE_STATUS_MACROS_H_
#define CRENEAU_ENGINE_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

// Evaluates `expr` (an absl::Status) and returns it from the enclosing
// function when it is not OK.
#define RETURN_IF_ERROR(expr)                          \
  do {                                                 \
    ::absl::Status creneau_status_ = (expr);           \
    if (!creneau_status_.ok()) return creneau_status_; \
  } while (0)

#define CRENEAU_CONCAT_INNER_(a, b) a##b
#define CRENEAU_CONCAT_(a, b) CRENEAU_CONCAT_INNER_(a, b)

// Evaluates `rexpr` (an absl::StatusOr<T>); returns its status when not OK,
// otherwise moves its value into `lhs` (a declaration or an lvalue).
#define ASSIGN_OR_RETURN(lhs, rexpr)                                          \
  CRENEAU_ASSIGN_OR_RETURN_IMPL_(CRENEAU_CONCAT_(creneau_or_, __LINE__), lhs, \
                                 rexpr)

#define CRENEAU_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                   \
  if (!tmp.ok()) return std::move(tmp).status();        \
  lhs = std::move(tmp).value()

#endif  // CRENEAU_ENGINE_STATUS_MACROS_H_
