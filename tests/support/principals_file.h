// Principals for tests that run creneaud with a principals file: a fixed
// bearer token per name and the file of their digests.
#ifndef CRENEAU_TESTS_SUPPORT_PRINCIPALS_FILE_H_
#define CRENEAU_TESTS_SUPPORT_PRINCIPALS_FILE_H_

#include <sys/stat.h>

#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "server/principals.h"

namespace creneau::testing {

struct TestPrincipal {
  std::string name;
  std::string token;
  std::string line;  // Of the principals file.
};

// `name` with role, organisation and scope as the principals file spells
// them ("regulator", "sas-17", "*" or "t-1,t-2"); its token is derived from
// the name (tests only: real tokens come from `creneau token new`).
inline TestPrincipal MakePrincipal(const std::string& name,
                                   const std::string& role,
                                   const std::string& organisation,
                                   const std::string& scope) {
  TestPrincipal p;
  p.name = name;
  p.token = absl::StrCat("token-of-", name, "-0123456789");
  p.line = absl::StrCat(server::TokenDigest(p.token), " ", name, " ", role, " ",
                        organisation, " ", scope);
  return p;
}

// Writes the principals file at `path`, readable by its owner only (as
// creneaud requires).
inline void WritePrincipalsFile(const std::string& path,
                                const std::vector<TestPrincipal>& principals) {
  {
    std::ofstream out(path);
    for (const TestPrincipal& p : principals) out << p.line << "\n";
  }
  chmod(path.c_str(), 0600);
}

}  // namespace creneau::testing

#endif  // CRENEAU_TESTS_SUPPORT_PRINCIPALS_FILE_H_
