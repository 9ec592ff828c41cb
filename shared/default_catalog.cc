// The built-in catalog: what every district computes and publishes until a newer
// catalog comes down the tree.
#include "absl/strings/string_view.h"

#include "shared/catalog.h"

namespace fedsync {

absl::string_view DefaultCatalogText() {
  return R"pb(
    version: 1
    metrics {
      id: "returned_students_total"
      title_en: "Returned overseas students"
      title_zh: "归国留学人员"
      registries: "returned_students"
      time_basis: STOCK
      period_type: YEAR
      disclosure { method: SUPPRESSION threshold: 3 }
    }
    metrics {
      id: "returned_students_by_region"
      title_en: "Returned overseas students by region of study"
      title_zh: "归国留学人员(按留学地区)"
      registries: "returned_students"
      dimensions { name: "region" field: "study_country" binning: COUNTRY_TO_REGION }
      time_basis: STOCK
      period_type: YEAR
      disclosure { method: SUPPRESSION threshold: 3 }
    }
    metrics {
      id: "returned_students_by_degree"
      title_en: "Returned overseas students by degree"
      title_zh: "归国留学人员(按学位)"
      registries: "returned_students"
      dimensions { name: "degree" field: "degree" binning: ENUM_NAME }
      time_basis: STOCK
      period_type: YEAR
      disclosure { method: SUPPRESSION threshold: 3 }
    }
    metrics {
      id: "certifications_by_type"
      title_en: "Certifications issued per month by type"
      title_zh: "身份认定与就读证明(按月、按类型)"
      registries: "identity_certifications"
      registries: "study_certificates"
      filters { field: "outcome" values: "APPROVED" }
      dimensions {
        name: "type"
        field: "kind"
        binning: CATEGORY_MAP
        categories { key: "identity_certifications" value: "identity" }
        categories { key: "study_certificates" value: "study" }
      }
      time_basis: EVENT
      date_field: "issue_date"
      period_type: MONTH
      disclosure { method: NONE }
      about_persons: false  # certificates issued: an administrative count
    }
    metrics {
      id: "enterprises_total"
      title_en: "Overseas-Chinese-funded and -affiliated enterprises"
      title_zh: "侨资侨属企业"
      registries: "enterprises"
      time_basis: STOCK
      period_type: YEAR
      disclosure { method: SUPPRESSION threshold: 3 }
    }
    metrics {
      id: "community_figures_total"
      title_en: "Overseas Chinese community figures"
      title_zh: "侨界人士"
      registries: "community_figures"
      time_basis: STOCK
      period_type: YEAR
      disclosure { method: SUPPRESSION threshold: 3 }
    }
    metrics {
      id: "hardship_cases_total"
      title_en: "Families of returned overseas Chinese and relatives in hardship"
      title_zh: "困难归侨侨眷(户)"
      registries: "hardship_cases"
      time_basis: STOCK
      period_type: YEAR
      disclosure { method: SUPPRESSION threshold: 3 }
    }
    metrics {
      id: "certifications_issued_by_year"
      title_en: "Certifications issued per year by type"
      title_zh: "身份认定与就读证明(按年、按类型)"
      registries: "identity_certifications"
      registries: "study_certificates"
      filters { field: "outcome" values: "APPROVED" }
      dimensions {
        name: "type"
        field: "kind"
        binning: CATEGORY_MAP
        categories { key: "identity_certifications" value: "identity" }
        categories { key: "study_certificates" value: "study" }
      }
      time_basis: EVENT
      date_field: "issue_date"
      period_type: YEAR
      disclosure { method: NONE }
      about_persons: false  # certificates issued: an administrative count
    }
  )pb";
}

}  // namespace fedsync
