// The `creneau` command-line client: one function per subcommand, each
// printing a readable table (or the response as JSON) and returning the
// process exit code (0 on success, 1 for an error the server returned, 2 for
// bad usage or an unreachable server).
#ifndef CRENEAU_TOOLS_CLI_H_
#define CRENEAU_TOOLS_CLI_H_

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/time/time.h"
#include "creneau/v1/admin_service.grpc.pb.h"
#include "creneau/v1/change_service.grpc.pb.h"
#include "creneau/v1/orientation_service.grpc.pb.h"
#include "creneau/v1/slot_service.grpc.pb.h"
#include "creneau/v1/territory_service.grpc.pb.h"

namespace creneau::tools {

struct CliOptions {
  std::string server = "127.0.0.1:50051";
  std::string token;   // Bearer token; empty in open mode.
  std::string tls_ca;  // PEM CA file: connect with TLS.
  // PEM client certificate and key: mutual TLS (with tls_ca).
  std::string tls_cert;
  std::string tls_key;
  absl::Duration timeout = absl::Seconds(10);
  bool json = false;
  std::string request_id;  // Empty: a fresh UUID per mutation.
  // The caller's IANA time zone: times print in it, and a slot's time in
  // the slot's own zone, named when it differs.
  std::string time_zone = "Europe/Paris";
};

struct SearchArgs {
  std::string commune;
  std::optional<double> lat, lng;
  std::string profession = "gp";
  std::vector<std::string> modalities;
  std::string within = "48h";  // Window length from now (or from --from).
  std::string from;            // RFC 3339; default now.
  std::string radius;          // "10km", "500m"; empty: automatic.
  int limit = 10;
  std::string order = "soonest";
  std::string preferred;
};

// `creneau territory create|update`: the source is one of epci, departement,
// communes (a comma-separated list) or national.
struct TerritoryArgs {
  std::string id;
  std::string name;
  std::string kind;  // cpts, sas-area, national, other.
  std::string epci;
  std::string departement;
  std::string communes;
  bool national = false;
};

// `creneau audit` filters.
struct AuditArgs {
  std::string booking, slot, professional, principal;
  std::string since;  // RFC 3339, or a duration back from now ("2h", "7d").
  int limit = 100;    // Records printed, at most (pages are fetched).
};

// creneau bookings: one professional's bookings, or an organisation's.
struct BookingsArgs {
  std::string professional, organisation;
  std::string from;  // RFC 3339; empty: every booking kept.
  int limit = 200;   // Bookings printed, at most (pages are fetched).
};

// `creneau watch`: where to start (default: from now) and the filter.
struct WatchArgs {
  std::optional<uint64_t> after;  // Resume after this sequence.
  bool snapshot = false;          // Start with the current state.
  std::vector<std::string> territories, professions, professionals;
  int64_t count = 0;  // Stop after this many objects (0: never).
};

// `creneau requests`: the waitlist.
struct RequestsArgs {
  std::string patient;  // enqueue: the pseudonymous patient reference.
  std::string expiry;   // enqueue: how long it may wait ("4h").
  std::string ttl;      // enqueue: the hold's time to live.
  std::string id;       // cancel: the request.
  bool all = false;     // list: closed requests too.
  bool follow = false;  // follow the waitlist's feed.
  std::optional<uint64_t> after;  // follow: resume after this sequence.
  int64_t count = 0;              // follow: stop after this many (0: never).
};

class Cli {
 public:
  // Fails (exit code 2 from the commands) when a TLS file cannot be read.
  Cli(CliOptions options, std::ostream& out, std::ostream& err);

  int Search(const SearchArgs& args);
  int Hold(const std::string& slot_id, const std::string& ttl,
           bool overbooking_place);
  // Searches and holds the best place in one call (cli_match.cc).
  int MatchHold(const SearchArgs& args, const std::string& ttl);
  int Confirm(const std::string& slot_id, const std::string& token,
              const std::string& patient, const std::string& orientation);
  int Release(const std::string& slot_id, const std::string& token);
  int Cancel(const std::string& booking_id, const std::string& reason);
  // A booking when the id looks like one ("bk-..."), else a slot.
  int Get(const std::string& id, bool force_slot);
  int List(const std::string& professional_id, int page_size);
  // Bookings by appointment start (each listed one is an audited read).
  int Bookings(const BookingsArgs& args);
  int Publish(const std::vector<std::string>& files);
  int Withdraw(const std::vector<std::string>& slot_ids);
  int Health();
  // Recurring availability (cli_availability.cc): publishes the
  // creneau.v1.Availability in a JSON file (protobuf's JSON mapping), or
  // prints a professional's.
  int AvailabilityPublish(const std::string& file);
  int AvailabilityGet(const std::string& professional_id);

  // Administration (cli_admin.cc).
  int TerritoryCreate(const TerritoryArgs& args);
  int TerritoryUpdate(const TerritoryArgs& args);
  int TerritoryGet(const std::string& id);
  int TerritoryList();
  int Audit(const AuditArgs& args);
  int Transfer(const std::vector<std::string>& professional_ids,
               const std::string& organisation);
  // Follows the change feed (cli_watch.cc).
  int Watch(const WatchArgs& args);
  // The waitlist (cli_requests.cc): enqueue a search, list, cancel, and
  // follow the organisation's requests (a snapshot of them, then every
  // change, unless resuming --after a sequence).
  int RequestsEnqueue(const SearchArgs& search, const RequestsArgs& args);
  int RequestsList(bool all);
  int RequestsCancel(const std::string& id);
  int RequestsFollow(const RequestsArgs& args);
  // Operations (cli_operations.cc).
  int Status();
  int Backup(const std::string& directory);

 private:
  std::unique_ptr<grpc::ClientContext> Context() const;
  std::string RequestId() const;
  int Report(const grpc::Status& status) const;
  void PrintJson(const google::protobuf::Message& message) const;
  // `command`'s search request from its arguments; 0, or 2 after saying
  // what is wrong.
  int SearchRequestOf(const SearchArgs& args, absl::string_view command,
                      v1::SearchSlotsRequest* request) const;
  // A search answer as a table of matches and its explanation.
  void PrintMatches(const v1::SearchSlotsResponse& response) const;
  // Prints a change feed message (one line per object, or JSON), counting
  // the objects into *printed; true once `count` (> 0) were printed.
  bool PrintChanges(const v1::WatchChangesResponse& response, int64_t count,
                    int64_t* printed) const;
  // Where a feed's stream starts: after a sequence, a snapshot, or now.
  struct FeedStart {
    uint64_t after = 0;
    bool snapshot = false;
    bool from_now = false;
  };
  using FeedReader = grpc::ClientReaderInterface<v1::WatchChangesResponse>;
  // Follows a feed opened by `open` (WatchChanges, WatchRequests) from
  // `after` (else a snapshot, else now), printing each message, until
  // `count` (> 0) objects were printed; resumes by itself after the last
  // sequence where the server ends the stream (RESOURCE_EXHAUSTED,
  // UNAVAILABLE). Returns the exit code (cli_watch.cc).
  int FollowFeed(absl::string_view command, std::optional<uint64_t> after,
                 bool snapshot, int64_t count,
                 absl::FunctionRef<std::unique_ptr<FeedReader>(
                     grpc::ClientContext*, const FeedStart&)>
                     open);
  // A new hold and the command that confirms it.
  void PrintHeld(const v1::Hold& hold) const;
  // A --ttl value (given, not empty) into `ttl`; false after saying what is
  // wrong.
  bool TtlOf(const std::string& value, absl::string_view command,
             google::protobuf::Duration* ttl) const;
  // The one path of a command's call: sends the request through `call`
  // (with a fresh context: deadline and token), reports an error status
  // (exit code 1, or 2 for an unreachable server), and otherwise prints
  // the response as JSON (--json) or with `print`. Returns the exit code.
  template <typename Response>
  int Call(
      absl::FunctionRef<grpc::Status(grpc::ClientContext*, Response*)> call,
      absl::FunctionRef<void(const Response&)> print) {
    Response response;
    const grpc::Status status = call(Context().get(), &response);
    if (!status.ok()) return Report(status);
    if (options_.json) {
      PrintJson(response);
    } else {
      print(response);
    }
    return 0;
  }

  CliOptions options_;
  std::ostream& out_;
  std::ostream& err_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<creneau::v1::SlotService::Stub> slots_;
  std::unique_ptr<creneau::v1::OrientationService::Stub> orientation_;
  std::unique_ptr<creneau::v1::TerritoryService::Stub> territories_;
  std::unique_ptr<creneau::v1::AdminService::Stub> admin_;
  std::unique_ptr<creneau::v1::ChangeService::Stub> changes_;
  std::string setup_error_;  // A TLS file that could not be read.
};

// "48h", "3m", "90s", "2d" (days), or anything absl::ParseDuration takes.
std::optional<absl::Duration> ParseHumanDuration(const std::string& text);
// "10km", "2.5 km", "500m", "800" (meters).
std::optional<int32_t> ParseDistanceMeters(const std::string& text);

}  // namespace creneau::tools

#endif  // CRENEAU_TOOLS_CLI_H_
