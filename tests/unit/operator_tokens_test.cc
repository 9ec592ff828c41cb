#include "shared/operator_tokens.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace fedsync {
namespace {

v1::OperatorToken Entry(const std::string& name, const std::string& role, const std::string& hash) {
  v1::OperatorToken entry;
  entry.set_name(name);
  entry.set_role(role);
  entry.set_hash(hash);
  return entry;
}

TEST(OperatorTokensTest, TokensAreRandomAndOnlyTheirSaltedHashMatches) {
  absl::StatusOr<std::string> token = NewOperatorToken();
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_TRUE(absl::StartsWith(*token, "fst_"));
  EXPECT_EQ(token->size(), 4u + 64u);
  EXPECT_NE(*token, *NewOperatorToken());

  absl::StatusOr<std::string> hash = HashOperatorToken(*token);
  ASSERT_TRUE(hash.ok()) << hash.status();
  EXPECT_TRUE(absl::StartsWith(*hash, "sha256$"));
  EXPECT_FALSE(absl::StrContains(*hash, token->substr(4)));
  EXPECT_NE(*hash, *HashOperatorToken(*token)) << "the salt is not random";
  EXPECT_TRUE(OperatorTokenMatches(*hash, *token));
  EXPECT_TRUE(OperatorTokenMatches(*HashOperatorToken(*token), *token));

  std::string other = *token;
  other.back() = other.back() == '0' ? '1' : '0';
  EXPECT_FALSE(OperatorTokenMatches(*hash, other));
  EXPECT_FALSE(OperatorTokenMatches(*hash, ""));
  for (const std::string& malformed :
       {std::string(""), std::string("sha256$$"), std::string("md5$00$00"),
        absl::StrCat(*hash, "$"), hash->substr(0, hash->size() - 2)}) {
    EXPECT_FALSE(OperatorTokenMatches(malformed, *token)) << malformed;
  }
}

TEST(OperatorTokensTest, FindNamesTheHolderAndRole) {
  const std::string vera = *NewOperatorToken();
  const std::string otto = *NewOperatorToken();
  google::protobuf::RepeatedPtrField<v1::OperatorToken> entries;
  *entries.Add() = Entry("vera", "viewer", *HashOperatorToken(vera));
  *entries.Add() = Entry("otto", "operator", *HashOperatorToken(otto));
  absl::StatusOr<OperatorTokens> tokens = OperatorTokens::FromConfig(entries);
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  std::optional<OperatorCaller> found = tokens->Find(otto);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->name, "otto@token");
  EXPECT_EQ(found->role, OperatorRole::kOperator);
  EXPECT_EQ(tokens->Find(vera)->role, OperatorRole::kViewer);
  EXPECT_FALSE(tokens->Find("fst_" + std::string(64, '0')).has_value());
  EXPECT_FALSE(OperatorTokens().Find(vera).has_value());
}

TEST(OperatorTokensTest, MalformedEntriesAreRefusedNamingTheField) {
  const std::string hash = *HashOperatorToken("x");
  struct Case {
    std::vector<v1::OperatorToken> entries;
    std::string says;
  };
  for (const Case& test : std::vector<Case>{
           {{Entry("Vera!", "viewer", hash)}, "operator_tokens[0].name"},
           {{Entry("vera", "root", hash)}, "operator_tokens[0].role"},
           {{Entry("vera", "viewer", "plain-token")}, "operator_tokens[0].hash"},
           {{Entry("vera", "viewer", hash), Entry("vera", "admin", hash)},
            "operator_tokens[1].name"},
       }) {
    google::protobuf::RepeatedPtrField<v1::OperatorToken> entries(test.entries.begin(),
                                                                  test.entries.end());
    absl::StatusOr<OperatorTokens> tokens = OperatorTokens::FromConfig(entries);
    ASSERT_FALSE(tokens.ok()) << test.says;
    EXPECT_EQ(tokens.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(absl::StrContains(tokens.status().message(), test.says)) << tokens.status();
  }
}

}  // namespace
}  // namespace fedsync
