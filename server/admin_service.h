// AdminService: ownership transfers, the audit trail, status and backup (see
// proto/creneau/v1/admin_service.proto). Administrators only.
#ifndef CRENEAU_SERVER_ADMIN_SERVICE_H_
#define CRENEAU_SERVER_ADMIN_SERVICE_H_

#include "absl/synchronization/mutex.h"
#include "creneau/v1/admin_service.grpc.pb.h"
#include "server/call.h"

namespace creneau::server {

class AdminService final : public v1::AdminService::CallbackService {
 public:
  // Audit records returned per page, at most, and events examined per call.
  static constexpr int kMaxAuditPage = 1000;
  static constexpr size_t kMaxAuditExamined = 100000;

  explicit AdminService(ServiceParts parts) : parts_(parts) {}

  grpc::ServerUnaryReactor* TransferProfessionals(
      grpc::CallbackServerContext* context,
      const v1::TransferProfessionalsRequest* request,
      v1::TransferProfessionalsResponse* response) override;
  grpc::ServerUnaryReactor* ListAudit(grpc::CallbackServerContext* context,
                                      const v1::ListAuditRequest* request,
                                      v1::ListAuditResponse* response) override;
  // admin_operations.cc.
  grpc::ServerUnaryReactor* GetStatus(grpc::CallbackServerContext* context,
                                      const v1::GetStatusRequest* request,
                                      v1::GetStatusResponse* response) override;
  grpc::ServerUnaryReactor* Backup(grpc::CallbackServerContext* context,
                                   const v1::BackupRequest* request,
                                   v1::BackupResponse* response) override;

 private:
  const ServiceParts parts_;
  // Held while a backup runs: one at a time.
  absl::Mutex backup_mu_;
};

}  // namespace creneau::server

#endif  // CRENEAU_SERVER_ADMIN_SERVICE_H_
