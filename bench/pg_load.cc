#include "bench/pg_load.h"

#include <libpq-fe.h>

#include <chrono>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"

namespace creneau::bench {
namespace {

using Steady = std::chrono::steady_clock;

struct ConnCloser {
  void operator()(PGconn* c) const { PQfinish(c); }
};
using Conn = std::unique_ptr<PGconn, ConnCloser>;

struct ResultCloser {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultCloser>;

absl::StatusOr<Conn> Connect(const std::string& conninfo) {
  Conn conn(PQconnectdb(conninfo.c_str()));
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    return absl::UnavailableError(
        absl::StrCat("postgres: ", PQerrorMessage(conn.get())));
  }
  return conn;
}

absl::Status Exec(PGconn* conn, const std::string& sql) {
  Result r(PQexec(conn, sql.c_str()));
  const ExecStatusType s = PQresultStatus(r.get());
  if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
    return absl::InternalError(
        absl::StrCat("postgres: ", PQerrorMessage(conn)));
  }
  return absl::OkStatus();
}

// One COPY FROM STDIN of text rows.
absl::Status Copy(PGconn* conn, const std::string& table,
                  const std::vector<std::string>& rows) {
  Result start(
      PQexec(conn, absl::StrCat("COPY ", table, " FROM STDIN").c_str()));
  if (PQresultStatus(start.get()) != PGRES_COPY_IN) {
    return absl::InternalError(
        absl::StrCat("postgres: ", PQerrorMessage(conn)));
  }
  constexpr size_t kChunkBytes = 1 << 20;
  std::string chunk;
  for (size_t i = 0; i <= rows.size(); ++i) {
    if (i < rows.size()) chunk += rows[i];
    if (chunk.size() >= kChunkBytes || (i == rows.size() && !chunk.empty())) {
      if (PQputCopyData(conn, chunk.data(), static_cast<int>(chunk.size())) !=
          1) {
        return absl::InternalError(
            absl::StrCat("postgres: ", PQerrorMessage(conn)));
      }
      chunk.clear();
    }
  }
  if (PQputCopyEnd(conn, nullptr) != 1) {
    return absl::InternalError(
        absl::StrCat("postgres: ", PQerrorMessage(conn)));
  }
  Result end(PQgetResult(conn));
  if (PQresultStatus(end.get()) != PGRES_COMMAND_OK) {
    return absl::InternalError(
        absl::StrCat("postgres: ", PQerrorMessage(conn)));
  }
  return absl::OkStatus();
}

std::string Point(const LatLng& p) {
  return absl::StrFormat("SRID=4326;POINT(%.7f %.7f)", p.lng_deg, p.lat_deg);
}

}  // namespace

absl::Status LoadPostgis(const std::string& conninfo,
                         const territory::SyntheticTerritory& territory) {
  absl::StatusOr<Conn> conn = Connect(conninfo);
  if (!conn.ok()) return conn.status();
  absl::flat_hash_map<std::string, const Professional*> by_id;
  std::vector<std::string> rows;
  for (const Professional& p : territory.professionals) {
    by_id[p.id] = &p;
    rows.push_back(absl::StrCat(p.id, "\t", static_cast<int>(p.profession),
                                "\t", p.commune_code, "\t", Point(p.location),
                                "\n"));
  }
  if (absl::Status s = Copy(conn->get(), "professional", rows); !s.ok())
    return s;
  rows.clear();
  for (const Slot& s : territory.slots) {
    const Professional& p = *by_id.at(s.professional_id);
    rows.push_back(absl::StrCat(
        s.id, "\t", s.professional_id, "\t", static_cast<int>(p.profession),
        "\t", Point(s.location.value_or(p.location)), "\t",
        absl::FormatTime("%Y-%m-%dT%H:%M:%SZ",
                         absl::FromUnixSeconds(s.start_unix_s),
                         absl::UTCTimeZone()),
        "\t", s.duration_s, "\t", static_cast<int>(s.modality), "\t",
        static_cast<int>(s.visibility), "\t", s.capacity, "\t",
        s.overbooking_places, "\t0\t0\t", s.withdrawn ? "t" : "f", "\n"));
  }
  return Copy(conn->get(), "slot", rows);
}

namespace {

constexpr char kSearchSql[] = R"sql(
SELECT id, start_time,
       ST_Distance(geog, ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography) AS distance_m
FROM slot
WHERE profession = $3::smallint AND NOT withdrawn AND held + booked < capacity
  AND visibility IN (1, 2, 3)
  AND start_time >= now() AND start_time < now() + interval '48 hours'
  AND ST_DWithin(geog, ST_SetSRID(ST_MakePoint($1, $2), 4326)::geography, $4)
ORDER BY start_time, distance_m
LIMIT 20)sql";

constexpr char kHoldSql[] = R"sql(
WITH s AS (UPDATE slot SET held = held + 1
           WHERE id = $1 AND NOT withdrawn AND held + booked < capacity
           RETURNING id),
     r AS (INSERT INTO request_log SELECT $3, now() FROM s RETURNING request_id)
INSERT INTO hold SELECT $2, id, now() + interval '180 seconds' FROM s
RETURNING slot_id)sql";

constexpr char kConfirmSql[] = R"sql(
WITH h AS (DELETE FROM hold WHERE token = $1 AND slot_id = $2 AND expires_at > now()
           RETURNING slot_id),
     s AS (UPDATE slot SET held = held - 1, booked = booked + 1
           WHERE id = (SELECT slot_id FROM h) RETURNING id),
     r AS (INSERT INTO request_log SELECT $5, now() FROM s RETURNING request_id)
INSERT INTO booking SELECT $3, id, $4, now() FROM s
RETURNING id)sql";

struct PgWorker {
  Conn conn;
  std::mt19937_64 rng;
  Workload workload;
  LoadReport report;
};

// Runs one statement; returns the rows it gave, or the error.
absl::StatusOr<int> Run(PGconn* conn, const char* sql,
                        const std::vector<std::string>& params) {
  std::vector<const char*> values;
  for (const std::string& p : params) values.push_back(p.c_str());
  Result r(PQexecParams(conn, sql, static_cast<int>(values.size()), nullptr,
                        values.data(), nullptr, nullptr, 0));
  if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
    return absl::InternalError(PQerrorMessage(conn));
  }
  return PQntuples(r.get());
}

void Record(LoadReport& report, const absl::Status& status) {
  if (status.ok()) return;
  if (report.errors++ == 0) report.first_error = std::string(status.message());
}

void SearchLoop(PgWorker& w, int64_t deadline_ns) {
  while (Steady::now().time_since_epoch().count() < deadline_ns) {
    const SearchAsk ask = w.workload.Next(w.rng);
    const auto start = Steady::now();
    absl::StatusOr<int> rows =
        Run(w.conn.get(), kSearchSql,
            {absl::StrFormat("%.7f", ask.commune->location.lng_deg),
             absl::StrFormat("%.7f", ask.commune->location.lat_deg),
             absl::StrCat(static_cast<int>(ask.profession)),
             absl::StrCat(ask.radius_m)});
    w.report.latency.Record((Steady::now() - start).count());
    ++w.report.calls["search"];
    if (rows.ok()) {
      ++w.report.ok;
    } else {
      Record(w.report, rows.status());
    }
  }
}

void BookLoop(PgWorker& w, int index, const std::vector<std::string>& slot_ids,
              int64_t deadline_ns) {
  for (uint64_t n = 0; Steady::now().time_since_epoch().count() < deadline_ns;
       ++n) {
    const std::string slot = slot_ids[w.rng() % slot_ids.size()];
    const std::string id = absl::StrCat(index, "-", n);
    const std::string token = absl::StrFormat("%016x%016x", w.rng(), w.rng());
    const auto start = Steady::now();
    absl::StatusOr<int> held =
        Run(w.conn.get(), kHoldSql, {slot, token, absl::StrCat("h-", id)});
    ++w.report.calls["hold"];
    if (!held.ok() || *held == 0) {
      if (held.ok()) {
        ++w.report.refused;  // Full: draw another slot.
      } else {
        Record(w.report, held.status());
      }
      continue;
    }
    absl::StatusOr<int> booked = Run(w.conn.get(), kConfirmSql,
                                     {token, slot, absl::StrCat("bk-", id),
                                      "load-patient", absl::StrCat("c-", id)});
    ++w.report.calls["confirm"];
    w.report.latency.Record((Steady::now() - start).count());
    if (booked.ok() && *booked == 1) {
      ++w.report.ok;
    } else {
      Record(w.report, booked.ok()
                           ? absl::InternalError("confirm lost its hold")
                           : booked.status());
    }
  }
}

absl::StatusOr<std::vector<std::string>> BookableSlots(PGconn* conn) {
  Result r(PQexec(conn,
                  "SELECT id FROM slot WHERE visibility IN (1, 2, 3) AND NOT "
                  "withdrawn AND start_time > now() + interval '10 minutes'"));
  if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
    return absl::InternalError(PQerrorMessage(conn));
  }
  std::vector<std::string> ids;
  for (int i = 0; i < PQntuples(r.get()); ++i)
    ids.push_back(PQgetvalue(r.get(), i, 0));
  if (ids.empty())
    return absl::FailedPreconditionError("postgres: no slot to book");
  return ids;
}

}  // namespace

absl::StatusOr<LoadReport> RunPgLoad(const PgLoadOptions& options,
                                     const Workload& workload) {
  if (options.call != "search" && options.call != "book") {
    return absl::InvalidArgumentError("--call: search or book");
  }
  if (options.connections < 1 || options.connections > 90) {
    return absl::InvalidArgumentError(
        "--concurrency: within [1, 90] connections");
  }
  std::vector<std::unique_ptr<PgWorker>> workers;
  for (int i = 0; i < options.connections; ++i) {
    absl::StatusOr<Conn> conn = Connect(options.conninfo);
    if (!conn.ok()) return conn.status();
    if (absl::Status s = Exec(conn->get(), "SET synchronous_commit = on");
        !s.ok()) {
      return s;
    }
    workers.push_back(std::make_unique<PgWorker>(
        PgWorker{*std::move(conn),
                 std::mt19937_64(options.seed * 104729 + i),
                 workload,
                 {}}));
  }
  std::vector<std::string> slot_ids;
  if (options.call == "book") {
    absl::StatusOr<std::vector<std::string>> ids =
        BookableSlots(workers[0]->conn.get());
    if (!ids.ok()) return ids.status();
    slot_ids = *std::move(ids);
  }
  const auto start = Steady::now();
  const int64_t deadline_ns =
      (start + absl::ToChronoNanoseconds(options.duration))
          .time_since_epoch()
          .count();
  std::vector<std::thread> threads;
  for (int i = 0; i < options.connections; ++i) {
    threads.emplace_back([&, i] {
      if (options.call == "search") {
        SearchLoop(*workers[i], deadline_ns);
      } else {
        BookLoop(*workers[i], i, slot_ids, deadline_ns);
      }
    });
  }
  for (std::thread& t : threads) t.join();
  LoadReport report;
  report.target = "postgis";
  report.call = options.call;
  report.mode = "closed";
  report.concurrency = options.connections;
  report.elapsed = absl::FromChrono(Steady::now() - start);
  for (const auto& w : workers) {
    report.ok += w->report.ok;
    report.refused += w->report.refused;
    if (report.errors == 0 && w->report.errors != 0) {
      report.first_error = w->report.first_error;
    }
    report.errors += w->report.errors;
    for (const auto& [name, count] : w->report.calls)
      report.calls[name] += count;
    report.latency.Merge(w->report.latency);
  }
  return report;
}

}  // namespace creneau::bench
