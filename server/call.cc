#include "server/call.h"

#include "absl/strings/str_cat.h"

namespace creneau::server {

grpc::Status ToGrpc(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  // absl and gRPC share the canonical code numbers.
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()));
}

absl::StatusOr<Principal> Authorize(const grpc::CallbackServerContext& context,
                                    const Authenticator& authenticator,
                                    Permission permission) {
  absl::string_view authorization;
  const auto& metadata = context.client_metadata();
  auto it = metadata.find("authorization");
  if (it != metadata.end()) {
    authorization = absl::string_view(it->second.data(), it->second.size());
  }
  absl::StatusOr<Principal> principal =
      authenticator.Authenticate(authorization);
  if (!principal.ok()) return principal;
  if (!Allows(principal->role, permission)) {
    return absl::PermissionDeniedError(absl::StrCat(
        "the ", RoleName(principal->role), " role may not make this call"));
  }
  return principal;
}

}  // namespace creneau::server
