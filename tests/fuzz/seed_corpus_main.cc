// Writes the seed corpus of the fuzz targets (kept in tests/fuzz/corpus/):
// valid records from the real encoders and valid requests, each prefixed
// with the selector byte(s) the targets read.
//
//   seed_corpus tests/fuzz/corpus
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/strings/str_cat.h"
#include "creneau/v1/orientation_service.pb.h"
#include "creneau/v1/slot_service.pb.h"
#include "creneau/v1/territory_service.pb.h"
#include "server/principals.h"
#include "storage/internal/codec.h"

namespace {

namespace v1 = ::creneau::v1;
using namespace creneau;
using namespace creneau::storage::internal;

void Write(const std::filesystem::path& dir, const std::string& name,
           const std::string& bytes) {
  std::filesystem::create_directories(dir);
  std::ofstream(dir / name, std::ios::binary) << bytes;
}

// Selector, key length, key, value: as storage_codec_fuzzer splits them.
std::string Record(int kind, const std::string& key, const std::string& value) {
  return std::string(1, static_cast<char>(kind)) +
         std::string(1, static_cast<char>(key.size())) + key + value;
}

// Principals files, agenda export files and territory requests.
void WriteAccessSeeds(const std::filesystem::path& root) {
  const std::string digest = server::TokenDigest("seed-token-0123456789");
  Write(root / "principals", "file",
        "# principals\n" + digest + " sas17-1 regulator sas-17 cpts-royan\n" +
            "cn:feed.vendor-a feed-a feed vendor-a *\n\n" +
            server::TokenDigest("another") + " app reader app t-1,t-2\n");
  Write(root / "principals", "bad_digest", digest + "x app reader app *\n");
  const auto files = root / "slot_file";
  Write(files, "slots.csv",
        std::string(1, '\0') +
            "id,professional_id,start_time,duration_min,modality,capacity,"
            "visibility\ns1,p1,2030-03-18T08:00:00Z,20,in-office,1,public\n"
            "s2,p1,2030-03-18T08:20:00+01:00,15,home-visit,2,regulation\n");
  Write(files, "professionals.csv",
        std::string(1, '\0') +
            "id,profession,latitude,longitude,commune_code,time_zone\n"
            "p1,gp,45.62,-1.03,17306,Europe/Paris\n");
  Write(files, "export.json",
        "\x01{\"professionals\": [{\"id\": \"p1\", \"profession\": "
        "\"PROFESSION_NURSE\", \"location\": {\"latitude\": 45.6, "
        "\"longitude\": -1.0}}], \"slots\": [{\"id\": \"s1\", "
        "\"professional_id\": \"p1\", \"start_time\": "
        "\"2030-03-18T08:00:00Z\", \"duration\": \"1800s\", \"modality\": "
        "\"MODALITY_HOME_VISIT\"}]}");
  const auto territories = root / "territory";
  v1::CreateTerritoryRequest create;
  create.set_request_id("t1");
  create.set_territory_id("cpts-royan-atlantique");
  create.set_name("CPTS Royan Atlantique");
  create.set_kind(v1::TERRITORY_KIND_CPTS);
  create.mutable_source()->set_epci_siren("241700640");
  Write(territories, "create_epci",
        std::string(1, '\0') + create.SerializeAsString());
  create.mutable_source()->set_departement("17");
  Write(territories, "create_departement",
        std::string(1, '\0') + create.SerializeAsString());
  create.mutable_source()->mutable_communes()->add_commune_codes("17306");
  create.mutable_source()->mutable_communes()->add_commune_codes("17300");
  Write(territories, "create_communes",
        std::string(1, '\0') + create.SerializeAsString());
  v1::UpdateTerritoryRequest update;
  update.set_request_id("t2");
  update.set_territory_id("cpts-royan-atlantique");
  update.set_name("CPTS Royan");
  Write(territories, "update", "\x01" + update.SerializeAsString());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: seed_corpus DIR\n");
    return 2;
  }
  const std::filesystem::path root = argv[1];
  const auto codec = root / "storage_codec";
  Professional p{"p1",
                 Profession::kNurse,
                 {45.6, -1.0},
                 "17306",
                 "Europe/Paris",
                 StructureType::kMsp,
                 "cpts-1",
                 1,
                 0,
                 12,
                 "Dr P"};
  Write(codec, "professional", Record(0, p.id, EncodeProfessional(p)));
  Slot s{"s1",
         "p1",
         1'900'000'000,
         900,
         Modality::kHomeVisit,
         2,
         1,
         Visibility::kRegulation,
         LatLng{45.7, -1.1},
         false};
  Write(codec, "slot", Record(1, s.id, EncodeSlot(s)));
  Hold h{std::string(32, 'b'), "s1", "sas", 1'899'999'000, 1'899'999'180, true,
         HoldState::kActive,   0};
  Write(codec, "hold", Record(2, h.token, EncodeHold(h)));
  Booking b;
  b.id = "bk-1";
  b.slot_id = "s1";
  b.professional_id = "p1";
  b.start_unix_s = 1'900'000'000;
  b.duration_s = 900;
  Write(codec, "booking", Record(3, b.id, EncodeBooking(b)));
  IdempotencyRecord r{"sas", "req-1", Method::kHoldSlot, 42, 1'899'999'000, {}};
  r.outcome.hold = h;
  const std::string rkey = IdempotencyKey(r.caller, r.request_id);
  Write(codec, "idempotency", Record(4, rkey, EncodeIdempotency(r)));
  Event e{
      EventType::kBookingConfirmed, 1'899'999'100, "sas", "req-2", {"bk-1"}};
  Write(codec, "event", std::string("\x05\x00", 2) + EncodeEvent(e));
  Write(codec, "event_key", std::string("\x06\x00", 2) + EventKey(77));

  const auto requests = root / "request";
  v1::PublishSlotsRequest publish;
  publish.set_request_id("r1");
  v1::Slot* slot = publish.add_slots();
  slot->set_id("s1");
  slot->set_professional_id("p1");
  slot->mutable_start_time()->set_seconds(1'900'003'600);
  slot->mutable_duration()->set_seconds(900);
  slot->set_modality(v1::MODALITY_IN_OFFICE);
  slot->set_capacity(1);
  slot->set_visibility(v1::VISIBILITY_PUBLIC);
  Write(requests, "publish", "\x01" + publish.SerializeAsString());
  v1::SearchSlotsRequest search;
  search.mutable_point()->set_latitude(45.6);
  search.mutable_point()->set_longitude(-1.0);
  search.set_profession(v1::PROFESSION_GENERAL_PRACTITIONER);
  search.set_radius_m(20000);
  Write(requests, "search", "\x03" + search.SerializeAsString());
  v1::HoldSlotRequest hold;
  hold.set_request_id("r2");
  hold.set_slot_id("s1");
  hold.mutable_ttl()->set_seconds(120);
  Write(requests, "hold", "\x04" + hold.SerializeAsString());
  v1::ConfirmBookingRequest confirm;
  confirm.set_request_id("r3");
  confirm.set_slot_id("s1");
  confirm.set_hold_token(std::string(32, 'a'));
  confirm.set_patient_ref("pt");
  Write(requests, "confirm", "\x05" + confirm.SerializeAsString());
  v1::UpsertProfessionalsRequest pros;
  pros.set_request_id("r4");
  v1::Professional* pro = pros.add_professionals();
  pro->set_id("p2");
  pro->set_profession(v1::PROFESSION_NURSE);
  pro->mutable_location()->set_latitude(45.6);
  pro->mutable_location()->set_longitude(-1.0);
  Write(requests, "upsert", std::string(1, '\0') + pros.SerializeAsString());
  v1::CancelBookingRequest cancel;
  cancel.set_request_id("r5");
  cancel.set_booking_id("bk-000000000001");
  Write(requests, "cancel", "\x07" + cancel.SerializeAsString());
  WriteAccessSeeds(root);
  std::printf("seed corpus written under %s\n", root.c_str());
  return 0;
}
