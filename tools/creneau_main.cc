// creneau: the command-line client of creneaud. Wiring only: flags to Cli.
#include <iostream>

#include "CLI/CLI.hpp"
#include "tools/cli.h"

int main(int argc, char** argv) {
  using creneau::tools::Cli;
  creneau::tools::CliOptions options;
  if (const char* server = std::getenv("CRENEAU_SERVER"))
    options.server = server;
  if (const char* token = std::getenv("CRENEAU_TOKEN")) options.token = token;
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
  app.add_option("--tls_ca", options.tls_ca, "PEM CA file: connect with TLS");
  app.add_option("--timeout", timeout, "deadline of each call")
      ->capture_default_str();
  app.add_flag("--json", options.json, "print responses as JSON");
  app.add_option("--request_id", options.request_id,
                 "idempotency key of a mutation, to retry one safely (default: "
                 "a fresh UUID)");

  creneau::tools::SearchArgs search;
  auto* search_cmd =
      app.add_subcommand("search", "find free slots near a place");
  search_cmd->add_option("--commune", search.commune,
                         "INSEE commune code, e.g. 17306");
  search_cmd->add_option("--lat", search.lat, "latitude (with --lng)");
  search_cmd->add_option("--lng", search.lng, "longitude (with --lat)");
  search_cmd
      ->add_option("--profession", search.profession, "gp, nurse, SM54, ...")
      ->capture_default_str();
  search_cmd->add_option(
      "--modality", search.modalities,
      "in-office, home-visit, teleconsultation (repeatable)");
  search_cmd
      ->add_option("--within", search.within, "window length, e.g. 48h, 3d")
      ->capture_default_str();
  search_cmd->add_option("--from", search.from,
                         "window start, RFC 3339 (default now)");
  search_cmd->add_option("--radius", search.radius,
                         "e.g. 10km (default: automatic)");
  search_cmd->add_option("--limit", search.limit, "results, 1 to 100")
      ->capture_default_str();
  search_cmd
      ->add_option("--order", search.order, "soonest, nearest or balanced")
      ->capture_default_str();
  search_cmd->add_option("--preferred", search.preferred,
                         "the patient's own professional id");

  std::string slot_id, token, ttl, patient, orientation, booking_id, reason, id;
  bool force_slot = false;
  auto* hold_cmd =
      app.add_subcommand("hold", "hold a place while talking to the patient");
  hold_cmd->add_option("slot_id", slot_id)->required();
  hold_cmd->add_option("--ttl", ttl, "time to live, 10s to 15m (default 3m)");
  auto* confirm_cmd =
      app.add_subcommand("confirm", "turn a hold into a booking");
  confirm_cmd->add_option("slot_id", slot_id)->required();
  confirm_cmd->add_option("token", token, "the hold token")->required();
  confirm_cmd
      ->add_option("--patient", patient, "pseudonymous patient reference")
      ->required();
  confirm_cmd->add_option("--orientation", orientation,
                          "orientation (case) reference");
  auto* release_cmd = app.add_subcommand("release", "give a held place back");
  release_cmd->add_option("slot_id", slot_id)->required();
  release_cmd->add_option("token", token, "the hold token")->required();
  auto* cancel_cmd = app.add_subcommand("cancel", "cancel a booking");
  cancel_cmd->add_option("booking_id", booking_id)->required();
  cancel_cmd->add_option("--reason", reason, "why, free text");
  auto* get_cmd =
      app.add_subcommand("get", "show a booking (bk-...) or a slot");
  get_cmd->add_option("id", id)->required();
  get_cmd->add_flag("--slot", force_slot,
                    "the id is a slot id even if it starts with bk-");
  std::string professional_id;
  int page_size = 200;
  auto* list_cmd = app.add_subcommand("list", "list a professional's slots");
  list_cmd->add_option("professional_id", professional_id)->required();
  list_cmd->add_option("--page_size", page_size, "slots per call")
      ->capture_default_str();
  std::vector<std::string> files, slot_ids;
  auto* publish_cmd = app.add_subcommand(
      "publish", "publish professionals and slots from files");
  publish_cmd->add_option("files", files, "JSON or CSV files (see README)")
      ->required();
  auto* withdraw_cmd = app.add_subcommand("withdraw", "withdraw slots");
  withdraw_cmd->add_option("slot_ids", slot_ids)->required();
  auto* health_cmd = app.add_subcommand("health", "is the server serving?");

  CLI11_PARSE(app, argc, argv);
  auto deadline = creneau::tools::ParseHumanDuration(timeout);
  if (!deadline) {
    std::cerr << "--timeout must be a duration such as 10s\n";
    return 2;
  }
  options.timeout = *deadline;
  Cli cli(options, std::cout, std::cerr);
  if (*search_cmd) return cli.Search(search);
  if (*hold_cmd) return cli.Hold(slot_id, ttl);
  if (*confirm_cmd) return cli.Confirm(slot_id, token, patient, orientation);
  if (*release_cmd) return cli.Release(slot_id, token);
  if (*cancel_cmd) return cli.Cancel(booking_id, reason);
  if (*get_cmd) return cli.Get(id, force_slot);
  if (*list_cmd) return cli.List(professional_id, page_size);
  if (*publish_cmd) return cli.Publish(files);
  if (*withdraw_cmd) return cli.Withdraw(slot_ids);
  if (*health_cmd) return cli.Health();
  return 2;
}
