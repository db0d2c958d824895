// creneau: the command-line client of creneaud. Wiring only: flags to Cli.
#include <iostream>

#include "CLI/CLI.hpp"
#include "absl/time/time.h"
#include "tools/cli.h"
#include "tools/token.h"

namespace {

using creneau::tools::AuditArgs;
using creneau::tools::BookingsArgs;
using creneau::tools::Cli;
using creneau::tools::RequestsArgs;
using creneau::tools::SearchArgs;
using creneau::tools::TerritoryArgs;
using creneau::tools::WatchArgs;

// Every subcommand's arguments.
struct Args {
  SearchArgs search;
  std::string slot_id, token, ttl, patient, orientation, booking_id, reason, id;
  bool force_slot = false, overbooking = false;
  std::string professional_id, availability_file;
  int page_size = 200;
  std::vector<std::string> files, slot_ids, professional_ids;
  TerritoryArgs territory;
  AuditArgs audit;
  BookingsArgs bookings;
  WatchArgs watch;
  RequestsArgs requests;
  std::string organisation;
  std::string backup_dir;
  std::string name, role, scope, common_name, principals_file;
};

// The search options of `search` and `match-hold`.
void AddSearchOptions(CLI::App* command, SearchArgs& s) {
  command->add_option("--commune", s.commune, "INSEE commune code, e.g. 17306");
  command->add_option("--lat", s.lat, "latitude (with --lng)");
  command->add_option("--lng", s.lng, "longitude (with --lat)");
  command
      ->add_option("--profession", s.profession,
                   "gp, nurse, SM54, ...; several separated by commas "
                   "(gp,pharmacist) are ranked together")
      ->capture_default_str();
  command->add_option("--modality", s.modalities,
                      "in-office, home-visit, teleconsultation (repeatable)");
  command->add_option("--within", s.within, "window length, e.g. 48h, 3d")
      ->capture_default_str();
  command->add_option("--from", s.from, "window start, RFC 3339 (default now)");
  command->add_option("--radius", s.radius, "e.g. 10km (default: automatic)");
  command->add_option("--limit", s.limit, "results, 1 to 100")
      ->capture_default_str();
  command->add_option("--order", s.order, "soonest, nearest or balanced")
      ->capture_default_str();
  command->add_option("--preferred", s.preferred,
                      "the patient's own professional id");
}

// `creneau requests [--all | --follow] | enqueue | cancel`: the waitlist.
void AddRequestsCommands(CLI::App& app, Args& a) {
  RequestsArgs& r = a.requests;
  auto* requests = app.add_subcommand(
      "requests",
      "the waitlist: your organisation's waiting requests (enqueue a search "
      "that found nothing; a place that comes is held for it)");
  requests->add_flag("--all", r.all, "also those held, cancelled or expired");
  requests->add_flag("--follow", r.follow,
                     "follow them live: the current ones, then every change "
                     "(a place held shows its token); resumes by itself");
  requests->add_option("--after", r.after,
                       "with --follow: resume after this sequence");
  requests->add_option("--count", r.count,
                       "with --follow: stop after this many changes");
  auto* enqueue = requests->add_subcommand(
      "enqueue", "put a search on the waitlist until a place comes");
  AddSearchOptions(enqueue, a.search);
  enqueue->add_option("--patient", r.patient, "pseudonymous patient reference")
      ->required();
  enqueue->add_option("--expiry", r.expiry,
                      "how long it may wait, 1m to 24h (default 4h)");
  enqueue->add_option("--ttl", r.ttl,
                      "the hold's time to live once a place comes, 10s to "
                      "15m (default 3m)");
  requests->add_subcommand("cancel", "take a waiting request off the list")
      ->add_option("request_id", r.id, "wr-...")
      ->required();
}

void AddOrientationCommands(CLI::App& app, Args& a) {
  AddSearchOptions(app.add_subcommand("search", "find free slots near a place"),
                   a.search);
  auto* match_hold = app.add_subcommand(
      "match-hold",
      "search and hold the best place in one step (no one can take it "
      "in between)");
  AddSearchOptions(match_hold, a.search);
  match_hold->add_option("--ttl", a.ttl,
                         "time to live, 10s to 15m (default 3m)");
  auto* hold =
      app.add_subcommand("hold", "hold a place while talking to the patient");
  hold->add_option("slot_id", a.slot_id)->required();
  hold->add_option("--ttl", a.ttl, "time to live, 10s to 15m (default 3m)");
  hold->add_flag("--overbooking", a.overbooking,
                 "take an overbooking place (regulators; outside the weekly "
                 "cap)");
  auto* confirm = app.add_subcommand("confirm", "turn a hold into a booking");
  confirm->add_option("slot_id", a.slot_id)->required();
  confirm->add_option("token", a.token, "the hold token")->required();
  confirm->add_option("--patient", a.patient, "pseudonymous patient reference")
      ->required();
  confirm->add_option("--orientation", a.orientation,
                      "orientation (case) reference");
  auto* release = app.add_subcommand("release", "give a held place back");
  release->add_option("slot_id", a.slot_id)->required();
  release->add_option("token", a.token, "the hold token")->required();
  auto* cancel = app.add_subcommand("cancel", "cancel a booking");
  cancel->add_option("booking_id", a.booking_id)->required();
  cancel->add_option("--reason", a.reason,
                     "patient-better, patient-unreachable, "
                     "professional-unavailable, duplicate or other");
  auto* get = app.add_subcommand("get", "show a booking (bk-...) or a slot");
  get->add_option("id", a.id)->required();
  get->add_flag("--slot", a.force_slot,
                "the id is a slot id even if it starts with bk-");
  auto* bookings = app.add_subcommand(
      "bookings",
      "list bookings by appointment: a professional's (feeds: those they "
      "manage) or your organisation's");
  bookings->add_option("--professional", a.bookings.professional,
                       "this professional's bookings");
  bookings->add_option("--organisation", a.bookings.organisation,
                       "booked by this organisation (default: yours)");
  bookings->add_option("--from", a.bookings.from,
                       "appointments from this time, RFC 3339");
  bookings->add_option("--limit", a.bookings.limit, "bookings printed, at most")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  AddRequestsCommands(app, a);
}

void AddFeedCommands(CLI::App& app, Args& a) {
  auto* list = app.add_subcommand("list", "list a professional's slots");
  list->add_option("professional_id", a.professional_id)->required();
  list->add_option("--page_size", a.page_size, "slots per call")
      ->capture_default_str();
  auto* publish = app.add_subcommand(
      "publish", "publish professionals and slots from files");
  publish->add_option("files", a.files, "JSON or CSV files (see README)")
      ->required();
  auto* withdraw = app.add_subcommand("withdraw", "withdraw slots");
  withdraw->add_option("slot_ids", a.slot_ids)->required();
  auto* availability = app.add_subcommand(
      "availability", "a professional's recurring availability (feeds)");
  availability->require_subcommand(1);
  availability
      ->add_subcommand("publish",
                       "publish templates and exceptions from a JSON file")
      ->add_option("file", a.availability_file,
                   "a creneau.v1.Availability in JSON (see README)")
      ->required();
  availability->add_subcommand("get", "print a professional's, as JSON")
      ->add_option("professional_id", a.professional_id)
      ->required();
  app.add_subcommand("health", "is the server serving?");
}

void AddTerritoryOptions(CLI::App* command, TerritoryArgs& t) {
  command->add_option("id", t.id, "territory id, e.g. cpts-royan-atlantique")
      ->required();
  command->add_option("--name", t.name, "e.g. \"CPTS Royan Atlantique\"");
  command->add_option("--kind", t.kind,
                      "cpts, sas-area, national or other (default cpts)");
  command->add_option("--epci", t.epci,
                      "the communes of this EPCI (SIREN, e.g. 241700640)");
  command->add_option("--departement", t.departement,
                      "the communes of this département (e.g. 17)");
  command->add_option("--communes", t.communes,
                      "INSEE codes separated by commas");
  command->add_flag("--national", t.national, "every commune");
}

void AddAdminCommands(CLI::App& app, Args& a) {
  auto* territory = app.add_subcommand("territory", "territories (scopes)");
  territory->require_subcommand(1);
  AddTerritoryOptions(
      territory->add_subcommand("create", "define a territory (admin)"),
      a.territory);
  AddTerritoryOptions(territory->add_subcommand(
                          "update", "rename or re-source a territory (admin)"),
                      a.territory);
  territory->add_subcommand("get", "show a territory")
      ->add_option("id", a.territory.id)
      ->required();
  territory->add_subcommand("list", "list the territories");
  auto* audit = app.add_subcommand(
      "audit", "list audit records (admin): changes, booking reads, refusals");
  audit->add_option("--booking", a.audit.booking, "about this booking");
  audit->add_option("--slot", a.audit.slot, "about this slot");
  audit->add_option("--professional", a.audit.professional,
                    "about this professional");
  audit->add_option("--principal", a.audit.principal, "by this principal");
  audit->add_option("--since", a.audit.since,
                    "RFC 3339, or a duration back from now (2h, 7d)");
  audit->add_option("--limit", a.audit.limit, "records printed, at most")
      ->capture_default_str();
  auto* watch = app.add_subcommand(
      "watch",
      "follow the changes you may see, live (the change feed); resumes by "
      "itself where the server ends the stream");
  watch->add_option("--after", a.watch.after,
                    "start after this sequence (resume); default: from now");
  watch->add_flag("--snapshot", a.watch.snapshot,
                  "start with the current state of everything you may see");
  watch->add_option("--territory", a.watch.territories,
                    "only this territory (repeatable)");
  watch->add_option("--profession", a.watch.professions,
                    "only this profession: gp, nurse, ... (repeatable)");
  watch->add_option("--professional", a.watch.professionals,
                    "only this professional (repeatable)");
  watch->add_option("--count", a.watch.count,
                    "stop after this many changed objects (default: never)");
  auto* transfer = app.add_subcommand(
      "transfer", "give professionals to another organisation (admin)");
  transfer->add_option("professional_ids", a.professional_ids)->required();
  transfer->add_option("--to", a.organisation, "the organisation")->required();
  app.add_subcommand("status",
                     "version, uptime, data, counts, last write, health "
                     "(admin)");
  app.add_subcommand("backup",
                     "copy the server's data, consistent, while it serves "
                     "(admin)")
      ->add_option("directory", a.backup_dir,
                   "new directory on the server's host (a relative path is "
                   "made absolute from here, for a server on this machine)")
      ->required();
  auto* token = app.add_subcommand("token", "principals file lines");
  token->require_subcommand(1);
  auto* token_new = token->add_subcommand(
      "new", "a fresh bearer token (printed once) and its principals line");
  token_new->add_option("name", a.name, "principal name")->required();
  token_new->add_option("role", a.role, "feed, regulator, reader or admin")
      ->required();
  token_new->add_option("organisation", a.organisation, "its organisation")
      ->required();
  token_new
      ->add_option("scope", a.scope, "* or territory ids separated by commas")
      ->required();
  token_new->add_option("--cn", a.common_name,
                        "a client certificate's common name instead of a "
                        "token (mutual TLS)");
  token_new->add_option("--append", a.principals_file,
                        "append the line to this principals file (created "
                        "with mode 600) and print only the token");
}

// `creneau token new`: needs no server.
int TokenNew(const Args& a) {
  const std::string token =
      a.common_name.empty() ? creneau::tools::NewBearerToken() : "";
  const std::string credential = a.common_name.empty()
                                     ? creneau::tools::BearerTokenDigest(token)
                                     : "cn:" + a.common_name;
  auto line = creneau::tools::PrincipalLine(credential, a.name, a.role,
                                            a.organisation, a.scope);
  if (!line.ok()) {
    std::cerr << "token new: " << line.status().message() << "\n";
    return 2;
  }
  if (!a.principals_file.empty()) {
    if (absl::Status s =
            creneau::tools::AppendPrincipalLine(a.principals_file, *line);
        !s.ok()) {
      std::cerr << "token new: " << s.message() << "\n";
      return 1;
    }
    std::cerr << a.name << " added to " << a.principals_file
              << " (send creneaud SIGHUP to load it)\n";
    if (!token.empty()) std::cout << token << "\n";
    return 0;
  }
  if (!token.empty()) {
    std::cout << "token: " << token << "\n"
              << "  (shown once: give it to " << a.name
              << " over a safe channel; creneaud keeps only its SHA-256)\n";
  }
  std::cout << "principals file line:\n" << *line << "\n";
  return 0;
}

int Dispatch(CLI::App& app, Cli& cli, const Args& a) {
  const auto given = [&](const char* name) { return app.got_subcommand(name); };
  if (given("search")) return cli.Search(a.search);
  if (given("hold")) return cli.Hold(a.slot_id, a.ttl, a.overbooking);
  if (given("match-hold")) return cli.MatchHold(a.search, a.ttl);
  if (given("confirm"))
    return cli.Confirm(a.slot_id, a.token, a.patient, a.orientation);
  if (given("release")) return cli.Release(a.slot_id, a.token);
  if (given("cancel")) return cli.Cancel(a.booking_id, a.reason);
  if (given("get")) return cli.Get(a.id, a.force_slot);
  if (given("bookings")) return cli.Bookings(a.bookings);
  if (given("list")) return cli.List(a.professional_id, a.page_size);
  if (given("publish")) return cli.Publish(a.files);
  if (given("withdraw")) return cli.Withdraw(a.slot_ids);
  if (given("availability")) {
    CLI::App* availability = app.get_subcommand("availability");
    if (availability->got_subcommand("publish"))
      return cli.AvailabilityPublish(a.availability_file);
    return cli.AvailabilityGet(a.professional_id);
  }
  if (given("health")) return cli.Health();
  if (given("audit")) return cli.Audit(a.audit);
  if (given("watch")) return cli.Watch(a.watch);
  if (given("requests")) {
    CLI::App* requests = app.get_subcommand("requests");
    if (requests->got_subcommand("enqueue"))
      return cli.RequestsEnqueue(a.search, a.requests);
    if (requests->got_subcommand("cancel"))
      return cli.RequestsCancel(a.requests.id);
    if (a.requests.follow) return cli.RequestsFollow(a.requests);
    return cli.RequestsList(a.requests.all);
  }
  if (given("status")) return cli.Status();
  if (given("backup")) return cli.Backup(a.backup_dir);
  if (given("transfer"))
    return cli.Transfer(a.professional_ids, a.organisation);
  if (given("territory")) {
    CLI::App* territory = app.get_subcommand("territory");
    if (territory->got_subcommand("create"))
      return cli.TerritoryCreate(a.territory);
    if (territory->got_subcommand("update"))
      return cli.TerritoryUpdate(a.territory);
    if (territory->got_subcommand("get"))
      return cli.TerritoryGet(a.territory.id);
    return cli.TerritoryList();
  }
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  creneau::tools::CliOptions options;
  if (const char* server = std::getenv("CRENEAU_SERVER"))
    options.server = server;
  if (const char* token = std::getenv("CRENEAU_TOKEN")) options.token = token;
  if (const char* ca = std::getenv("CRENEAU_TLS_CA")) options.tls_ca = ca;
  std::string timeout = "10s";

  CLI::App app{
      "creneau: search, hold and book unscheduled-care slots on a creneaud "
      "server"};
  app.require_subcommand(1);
  // Global options (--server, --token, --json, ...) are accepted after the
  // subcommand too, where a newcomer types them.
  app.fallthrough();
  app.add_option("--server", options.server,
                 "creneaud address (env CRENEAU_SERVER)")
      ->capture_default_str();
  app.add_option("--token", options.token, "bearer token (env CRENEAU_TOKEN)");
  app.add_option("--tls_ca", options.tls_ca,
                 "PEM CA file: connect with TLS, trusting this CA (env "
                 "CRENEAU_TLS_CA)");
  app.add_option("--tls_cert", options.tls_cert,
                 "PEM client certificate (mutual TLS)");
  app.add_option("--tls_key", options.tls_key, "PEM private key of --tls_cert");
  app.add_option("--timeout", timeout, "deadline of each call")
      ->capture_default_str();
  app.add_flag("--json", options.json, "print responses as JSON");
  if (const char* zone = std::getenv("CRENEAU_TIME_ZONE")) {
    options.time_zone = zone;
  }
  app.add_option("--time_zone", options.time_zone,
                 "your IANA time zone (env CRENEAU_TIME_ZONE); a slot's time "
                 "prints in the slot's zone, named when it is not yours")
      ->capture_default_str();
  app.add_option("--request_id", options.request_id,
                 "idempotency key of a mutation, to retry one safely (default: "
                 "a fresh UUID)");
  Args args;
  AddOrientationCommands(app, args);
  AddFeedCommands(app, args);
  AddAdminCommands(app, args);
  CLI11_PARSE(app, argc, argv);

  if (app.got_subcommand("token")) return TokenNew(args);
  auto deadline = creneau::tools::ParseHumanDuration(timeout);
  if (!deadline) {
    std::cerr << "--timeout must be a duration such as 10s\n";
    return 2;
  }
  options.timeout = *deadline;
  if (absl::TimeZone zone; !absl::LoadTimeZone(options.time_zone, &zone)) {
    std::cerr << "--time_zone: unknown time zone '" << options.time_zone
              << "' (an IANA name such as Europe/Paris)\n";
    return 2;
  }
  Cli cli(options, std::cout, std::cerr);
  return Dispatch(app, cli, args);
}
