// libFuzzer harness: the catalog loader (Catalog::FromText, shared/catalog.h) on any
// text, as a pushed or configured catalog arrives. It may refuse anything but must not
// crash; a catalog it accepts must load again from its own text form, and still load
// once raised to a district's privacy floor (shared/privacy_floor.h), which must then
// have nothing left to raise.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/text_format.h"
#include "shared/catalog.h"
#include "shared/privacy_floor.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  auto catalog = fedsync::Catalog::FromText(text);
  if (!catalog.ok()) return 0;
  std::string printed;
  if (!google::protobuf::TextFormat::PrintToString((*catalog)->proto(), &printed)) std::abort();
  if (!fedsync::Catalog::FromText(printed).ok()) std::abort();
  std::vector<std::string> raised;
  const fedsync::v1::Catalog floored =
      fedsync::RaiseToPrivacyFloor((*catalog)->proto(), fedsync::PrivacyFloor(), &raised);
  if (!fedsync::Catalog::FromProto(floored).ok()) std::abort();
  if (!fedsync::CheckPrivacyFloor(floored).ok()) std::abort();
  return 0;
}
