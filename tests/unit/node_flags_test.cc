// How the node binaries read their transport flags over a config file.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "shared/node_config.h"
#include "shared/server_runner.h"

namespace fedsync {
namespace {

v1::NodeConfig Configured(bool insecure, const std::string& tls_dir) {
  v1::NodeConfig config;
  config.set_insecure(insecure);
  config.set_tls_dir(tls_dir);
  return config;
}

TEST(OverrideTransportTest, TheCommandLinesTransportReplacesTheConfigFiles) {
  // --tls-dir over a config file's insecure: true.
  v1::NodeConfig config = Configured(true, "");
  OverrideTransport("pki/luyang", std::nullopt, &config);
  EXPECT_FALSE(config.insecure());
  EXPECT_EQ(config.tls_dir(), "pki/luyang");

  // --insecure over a config file's tls_dir.
  config = Configured(false, "pki/luyang");
  OverrideTransport("", true, &config);
  EXPECT_TRUE(config.insecure());
  EXPECT_EQ(config.tls_dir(), "");

  // --insecure=false over a config file's insecure: true.
  config = Configured(true, "");
  OverrideTransport("", false, &config);
  EXPECT_FALSE(config.insecure());

  // Nothing given: the config file stands.
  config = Configured(true, "");
  OverrideTransport("", std::nullopt, &config);
  EXPECT_TRUE(config.insecure());

  // Both given: both stay, for FinishNodeConfig to refuse.
  config = Configured(false, "");
  OverrideTransport("pki/luyang", true, &config);
  EXPECT_TRUE(config.insecure());
  EXPECT_EQ(config.tls_dir(), "pki/luyang");
}

TEST(BoolFlagGivenTest, EveryFormOfTheFlagBeforeTheEndOfFlagsCounts) {
  auto given = [](std::vector<std::string> args) {
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    return BoolFlagGiven(static_cast<int>(argv.size()), argv.data(), "insecure");
  };
  EXPECT_TRUE(given({"node", "--insecure"}));
  EXPECT_TRUE(given({"node", "--insecure=false"}));
  EXPECT_TRUE(given({"node", "-insecure"}));
  EXPECT_TRUE(given({"node", "--noinsecure"}));
  EXPECT_FALSE(given({"node", "--tls_dir=pki"}));
  EXPECT_FALSE(given({"node", "--insecurely"}));
  EXPECT_FALSE(given({"node", "--", "--insecure"}));
}

}  // namespace
}  // namespace fedsync
