// creneau availability publish FILE.json | get PROFESSIONAL.
#include <fstream>
#include <sstream>

#include "google/protobuf/util/json_util.h"
#include "tools/cli.h"

namespace creneau::tools {

namespace v1 = ::creneau::v1;

int Cli::AvailabilityPublish(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    err_ << "availability publish: cannot read " << file << "\n";
    return 2;
  }
  std::stringstream text;
  text << in.rdbuf();
  v1::PublishAvailabilityRequest request;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  const auto parsed = google::protobuf::util::JsonStringToMessage(
      text.str(), request.mutable_availability(), options);
  if (!parsed.ok()) {
    err_ << "availability publish: " << file
         << ": not an Availability in JSON (see README): " << parsed.message()
         << "\n";
    return 2;
  }
  request.set_request_id(RequestId());
  return Call<v1::PublishAvailabilityResponse>(
      [&](grpc::ClientContext* context,
          v1::PublishAvailabilityResponse* response) {
        return slots_->PublishAvailability(context, request, response);
      },
      [&](const v1::PublishAvailabilityResponse& r) {
        out_ << request.availability().professional_id() << ": "
             << r.created_count() << " slots created, " << r.updated_count()
             << " updated, " << r.unchanged_count() << " unchanged, "
             << r.withdrawn_count() << " withdrawn";
        if (r.kept_count() > 0) {
          out_ << ", " << r.kept_count()
               << " kept (held or booked: release or cancel them to free "
                  "the time)";
        }
        out_ << "\n";
      });
}

int Cli::AvailabilityGet(const std::string& professional_id) {
  v1::GetAvailabilityRequest request;
  request.set_professional_id(professional_id);
  return Call<v1::GetAvailabilityResponse>(
      [&](grpc::ClientContext* context, v1::GetAvailabilityResponse* response) {
        return slots_->GetAvailability(context, request, response);
      },
      [&](const v1::GetAvailabilityResponse& r) {
        // The same JSON publish reads, so that an agenda can be fetched,
        // edited and published back.
        std::string json;
        google::protobuf::util::JsonPrintOptions options;
        options.add_whitespace = true;
        options.preserve_proto_field_names = true;
        (void)google::protobuf::util::MessageToJsonString(r.availability(),
                                                          &json, options);
        out_ << json;
      });
}

}  // namespace creneau::tools
