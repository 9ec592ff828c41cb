// Labels for people: a dimension's key and its values in Chinese or English
// (region=europe -> 欧洲 / Europe, degree=master -> 硕士 / Master), for fedctl rollup
// --lang and the dashboard. Dimension values come from closed category lists in the
// catalog, so the table here is closed too; a value it does not know (a newer catalog)
// reads as itself. Immutable tables; thread-safe.
#ifndef FEDSYNC_SHARED_DIMENSION_LABELS_H_
#define FEDSYNC_SHARED_DIMENSION_LABELS_H_

#include <string>

#include "absl/strings/string_view.h"

namespace fedsync {

enum class LabelLanguage { kChinese, kEnglish };

// Parses "zh" or "en"; false otherwise.
bool ParseLabelLanguage(absl::string_view text, LabelLanguage* language);

// The dimension key's name, e.g. "region" -> "地区" / "Region".
std::string DimensionKeyLabel(absl::string_view key, LabelLanguage language);
// The value's name within its dimension, e.g. ("degree", "master") -> "硕士" / "Master".
std::string DimensionValueLabel(absl::string_view key, absl::string_view value,
                                LabelLanguage language);

}  // namespace fedsync

#endif  // FEDSYNC_SHARED_DIMENSION_LABELS_H_
