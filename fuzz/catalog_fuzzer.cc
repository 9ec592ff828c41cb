// libFuzzer harness: the catalog loader (Catalog::FromText, shared/catalog.h) on any
// text, as a pushed or configured catalog arrives. It may refuse anything but must not
// crash; a catalog it accepts must load again from its own text form.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "absl/strings/string_view.h"
#include "google/protobuf/text_format.h"
#include "shared/catalog.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  auto catalog = fedsync::Catalog::FromText(text);
  if (!catalog.ok()) return 0;
  std::string printed;
  if (!google::protobuf::TextFormat::PrintToString((*catalog)->proto(), &printed)) std::abort();
  if (!fedsync::Catalog::FromText(printed).ok()) std::abort();
  return 0;
}
