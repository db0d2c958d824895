#include "engine/csv.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace creneau {
namespace {

using ::testing::ElementsAre;

std::vector<std::vector<std::string>> ReadAll(absl::string_view text,
                                              absl::Status* status) {
  CsvReader reader(text);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> fields;
  while (reader.Next(&fields)) rows.push_back(fields);
  *status = reader.status();
  return rows;
}

TEST(CsvReaderTest, ReadsPlainQuotedAndEmptyFields) {
  absl::Status status;
  const auto rows =
      ReadAll("a,b,c\n1,\"x, y\",\n\"he said \"\"hi\"\"\",,z\r\n", &status);
  ASSERT_TRUE(status.ok()) << status;
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_THAT(rows[0], ElementsAre("a", "b", "c"));
  EXPECT_THAT(rows[1], ElementsAre("1", "x, y", ""));
  EXPECT_THAT(rows[2], ElementsAre("he said \"hi\"", "", "z"));
}

TEST(CsvReaderTest, SkipsBlankLinesAndReadsLastRowWithoutNewline) {
  absl::Status status;
  const auto rows = ReadAll("a\n\n\nb", &status);
  ASSERT_TRUE(status.ok());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[1], ElementsAre("b"));
}

TEST(CsvReaderTest, QuotedFieldMayHoldNewlines) {
  absl::Status status;
  const auto rows = ReadAll("\"two\nlines\",x\nnext\n", &status);
  ASSERT_TRUE(status.ok());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_THAT(rows[0], ElementsAre("two\nlines", "x"));
}

TEST(CsvReaderTest, RejectsUnterminatedQuoteWithLineNumber) {
  absl::Status status;
  ReadAll("ok\n\"never closed\n", &status);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()),
              ::testing::HasSubstr("unterminated"));
}

TEST(CsvReaderTest, RejectsTextAfterClosingQuote) {
  absl::Status status;
  const auto rows = ReadAll("\"a\"b,c\n", &status);
  EXPECT_TRUE(rows.empty());
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(status.message()), ::testing::HasSubstr("line 1"));
}

TEST(CsvReaderTest, RejectsOversizedField) {
  absl::Status status;
  ReadAll(std::string(CsvReader::kMaxFieldBytes + 10, 'x'), &status);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace creneau
