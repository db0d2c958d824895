// Transport and credentials: TLS end to end from the CLI and from Python with
// bearer tokens made by `creneau token new`; mutual TLS mapping a client
// certificate's common name to a principal and refusing a missing, expired
// or foreign certificate; creneaud refusing tokens in clear and a principals
// file others can read; SIGHUP reloading the principals and renewed
// certificates being served without dropping calls. Certificates come from
// a throwaway CA made with Debian's openssl.
#include <signal.h>
#include <sys/stat.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "creneau/v1/territory_service.grpc.pb.h"
#include "gtest/gtest.h"
#include "storage/testing/temp_dir.h"
#include "tests/support/api_fixtures.h"
#include "tests/support/run_command.h"
#include "tests/support/server_process.h"
#include "tests/support/test_pki.h"

namespace creneau::testing {
namespace {

using Output = CommandOutput;

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// `creneau token new ...`: the token and the principals line it printed.
struct NewToken {
  std::string token, line;
};
NewToken MakeToken(const std::string& args) {
  const Output out =
      RunCommand(absl::StrCat(CRENEAU_CLI_PATH, " token new ", args));
  EXPECT_EQ(out.code, 0) << out.text;
  NewToken made;
  std::vector<std::string> lines = absl::StrSplit(out.text, '\n');
  for (size_t i = 0; i < lines.size(); ++i) {
    if (absl::StartsWith(lines[i], "token: ")) made.token = lines[i].substr(7);
    if (lines[i] == "principals file line:" && i + 1 < lines.size()) {
      made.line = lines[i + 1];
    }
  }
  EXPECT_EQ(made.token.size(), 47u) << out.text;
  EXPECT_TRUE(absl::StartsWith(made.line, "sha256:")) << out.text;
  return made;
}

void WritePrincipals(const std::string& path, const std::string& lines,
                     mode_t mode = 0600) {
  const std::string tmp = path + ".new";
  std::ofstream(tmp) << lines;
  chmod(tmp.c_str(), mode);
  std::filesystem::rename(tmp, path);
}

grpc::Status GetRoyan(const std::shared_ptr<grpc::Channel>& channel,
                      const std::string& token) {
  auto stub = v1::TerritoryService::NewStub(channel);
  v1::GetTerritoryRequest request;
  request.set_territory_id("cpts-royan-atlantique");
  v1::GetTerritoryResponse response;
  return stub->GetTerritory(ClientContext(token, absl::Seconds(5)).get(),
                            request, &response);
}

std::shared_ptr<grpc::Channel> TlsChannel(const std::string& address,
                                          const std::string& ca,
                                          const CertificateFiles* client) {
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = ReadText(ca);
  if (client != nullptr) {
    ssl.pem_cert_chain = ReadText(client->cert);
    ssl.pem_private_key = ReadText(client->key);
  }
  return grpc::CreateChannel(address, grpc::SslCredentials(ssl));
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(pki_.Init().ok());
    auto cert = pki_.Issue("server", "localhost", 30, true);
    ASSERT_TRUE(cert.ok()) << cert.status();
    server_cert_ = *cert;
    principals_ = dir_.Sub("principals");
  }
  std::vector<std::string> Flags(std::vector<std::string> more = {}) {
    std::vector<std::string> flags = {"--log_level=info",
                                      "--principals_file=" + principals_,
                                      "--tls_cert=" + server_cert_.cert,
                                      "--tls_key=" + server_cert_.key,
                                      "--demo_territory=CA Royan Atlantique",
                                      "--demo_professionals=60",
                                      "--demo_days=2"};
    flags.insert(flags.end(), more.begin(), more.end());
    return flags;
  }

  TempDir dir_;
  TestPki pki_{dir_.path()};
  CertificateFiles server_cert_;
  std::string principals_;
};

TEST_F(TlsTest, CliAndPythonOverTlsWithTokens) {
  const NewToken reader = MakeToken("app-1 reader patient-app '*'");
  WritePrincipals(principals_, reader.line + "\n");
  ServerProcess server(dir_.Sub("data"), Flags());
  server.UseTls(pki_.ca_cert());
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  const std::string cli =
      absl::StrCat(CRENEAU_CLI_PATH, " --server ", server.address(),
                   " --tls_ca ", pki_.ca_cert());
  Output found = RunCommand(absl::StrCat(
      cli, " search --commune 17306 --profession gp --token ", reader.token));
  EXPECT_EQ(found.code, 0) << found.text;
  EXPECT_TRUE(absl::StrContains(found.text, "slot(s) within")) << found.text;
  // The wrong token, and plaintext against the TLS port, are refused.
  Output wrong = RunCommand(absl::StrCat(
      cli, " search --commune 17306 --token not-a-token-0123456789"));
  EXPECT_EQ(wrong.code, 1) << wrong.text;
  EXPECT_TRUE(absl::StrContains(wrong.text, "UNAUTHENTICATED")) << wrong.text;
  Output plain = RunCommand(absl::StrCat(
      CRENEAU_CLI_PATH, " --server ", server.address(), " --token ",
      reader.token, " --timeout 3s search --commune 17306"));
  EXPECT_NE(plain.code, 0) << plain.text;

  Output python = RunCommand(absl::StrCat(
      "/usr/bin/python3 ", CRENEAU_SOURCE_DIR, "/tests/interop/tls_client.py",
      " --stubs ", CRENEAU_PYTHON_STUBS, " --address ", server.address(),
      " --ca ", pki_.ca_cert(), " --token ", reader.token));
  EXPECT_EQ(python.code, 0) << python.text;
  EXPECT_TRUE(absl::StartsWith(python.text, "ok ")) << python.text;
  std::printf("CLI and Python over TLS: %s", python.text.c_str());
}

TEST_F(TlsTest, CreneaudRefusesTokensInClearAndOpenFiles) {
  const NewToken reader = MakeToken("app-1 reader patient-app '*'");
  WritePrincipals(principals_, reader.line + "\n", 0644);
  ServerProcess readable(dir_.Sub("data"), Flags());
  readable.UseTls(pki_.ca_cert());
  const absl::Status refused = readable.Start();
  EXPECT_FALSE(refused.ok());
  EXPECT_TRUE(absl::StrContains(refused.message(), "chmod 600"))
      << refused.message();

  WritePrincipals(principals_, reader.line + "\n");
  ServerProcess clear(dir_.Sub("data"), {"--principals_file=" + principals_});
  const absl::Status in_clear = clear.Start();
  EXPECT_FALSE(in_clear.ok());
  EXPECT_TRUE(absl::StrContains(in_clear.message(), "in clear"))
      << in_clear.message();

  ServerProcess mesh(dir_.Sub("data"), {"--principals_file=" + principals_,
                                        "--insecure_transport_behind_mesh"});
  ASSERT_TRUE(mesh.Start().ok()) << mesh.Log();
  EXPECT_TRUE(absl::StrContains(mesh.Log(), "INSECURE TRANSPORT"));
  // Behind the mesh the tokens still decide: none is refused, the reader's
  // is let in (the territory may not exist: NOT_FOUND is an answer).
  EXPECT_EQ(GetRoyan(mesh.Channel(), "").error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  const grpc::StatusCode admitted =
      GetRoyan(mesh.Channel(), reader.token).error_code();
  EXPECT_TRUE(admitted == grpc::StatusCode::OK ||
              admitted == grpc::StatusCode::NOT_FOUND)
      << admitted;
}

TEST_F(TlsTest, MutualTlsMapsCertificatesAndRefusesTheRest) {
  auto regulator = pki_.Issue("regulator", "regulator.sas17", 30, false);
  auto stranger = pki_.Issue("stranger", "stranger.example", 30, false);
  auto expired = pki_.Issue("expired", "regulator.sas17", -1, false);
  TestPki other(dir_.path(), "other-ca");
  ASSERT_TRUE(other.Init().ok());
  auto foreign = other.Issue("foreign", "regulator.sas17", 30, false);
  ASSERT_TRUE(regulator.ok() && stranger.ok() && expired.ok() && foreign.ok());
  WritePrincipals(principals_,
                  "cn:regulator.sas17 sas17-1 regulator sas-17 *\n");
  ServerProcess server(dir_.Sub("data"),
                       Flags({"--tls_client_ca=" + pki_.ca_cert()}));
  server.UseTls(pki_.ca_cert(), regulator->cert, regulator->key);
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  const std::string ca = pki_.ca_cert();
  EXPECT_TRUE(GetRoyan(TlsChannel(server.address(), ca, &*regulator), "").ok());
  EXPECT_EQ(
      GetRoyan(TlsChannel(server.address(), ca, &*stranger), "").error_code(),
      grpc::StatusCode::UNAUTHENTICATED);
  for (const auto& [name, client] :
       {std::pair<const char*, const CertificateFiles*>{"none", nullptr},
        {"expired", &*expired},
        {"foreign", &*foreign}}) {
    const grpc::Status status =
        GetRoyan(TlsChannel(server.address(), ca, client), "");
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE)
        << name << ": " << status.error_message();
  }
}

TEST_F(TlsTest, SighupReloadsPrincipalsAndCertificatesWithoutDroppingCalls) {
  const NewToken first = MakeToken("sas17-1 regulator sas-17 '*'");
  const NewToken second = MakeToken("sas17-2 regulator sas-17 '*'");
  WritePrincipals(principals_, first.line + "\n");
  // The caller below goes as fast as it can: lift the per-principal rate.
  ServerProcess server(
      dir_.Sub("data"),
      Flags({"--tls_reload_s=1", "--requests_per_s_per_principal=1000000",
             "--burst_per_principal=1000000"}));
  server.UseTls(pki_.ca_cert());
  ASSERT_TRUE(server.Start().ok()) << server.Log();
  ASSERT_FALSE(GetRoyan(server.Channel(), second.token).ok());

  // Calls go on, on one connection, through both reloads.
  std::atomic<bool> stop{false};
  std::atomic<int> calls{0}, failed{0};
  std::string first_failure;  // Written by the caller before `failed` moves.
  std::thread caller([&] {
    const auto channel = server.Channel();
    while (!stop.load()) {
      const grpc::Status status = GetRoyan(channel, first.token);
      if (status.ok()) {
        calls++;
      } else if (failed++ == 0) {
        first_failure =
            absl::StrCat(status.error_code(), " ", status.error_message(),
                         " after ", calls.load(), " calls");
      }
    }
  });
  WritePrincipals(principals_, first.line + "\n" + second.line + "\n");
  ASSERT_EQ(kill(server.pid(), SIGHUP), 0);
  bool reloaded = false;
  for (int i = 0; i < 100 && !reloaded; ++i) {
    reloaded = GetRoyan(server.Channel(), second.token).ok();
    if (!reloaded) absl::SleepFor(absl::Milliseconds(50));
  }
  EXPECT_TRUE(reloaded) << "SIGHUP did not reload the principals";

  // A renewed certificate, from another authority: new connections get it
  // within the reload interval.
  TestPki renewed(dir_.path(), "renewed-ca");
  ASSERT_TRUE(renewed.Init().ok());
  auto cert = renewed.Issue("server-renewed", "localhost", 30, true);
  ASSERT_TRUE(cert.ok());
  std::filesystem::copy_file(cert->key, server_cert_.key + ".new");
  std::filesystem::copy_file(cert->cert, server_cert_.cert + ".new");
  std::filesystem::rename(server_cert_.key + ".new", server_cert_.key);
  std::filesystem::rename(server_cert_.cert + ".new", server_cert_.cert);
  bool served = false;
  for (int i = 0; i < 100 && !served; ++i) {
    served = GetRoyan(TlsChannel(server.address(), renewed.ca_cert(), nullptr),
                      first.token)
                 .ok();
    if (!served) absl::SleepFor(absl::Milliseconds(100));
  }
  EXPECT_TRUE(served) << "the renewed certificate was not served";
  EXPECT_FALSE(GetRoyan(TlsChannel(server.address(), pki_.ca_cert(), nullptr),
                        first.token)
                   .ok())
      << "new connections still get the old certificate";
  stop.store(true);
  caller.join();
  std::printf("%d calls on one connection through both reloads, %d failed\n",
              calls.load(), failed.load());
  EXPECT_GT(calls.load(), 50);
  EXPECT_EQ(failed.load(), 0) << first_failure;
  EXPECT_TRUE(absl::StrContains(server.Log(), "principals reloaded"));
}

}  // namespace
}  // namespace creneau::testing
