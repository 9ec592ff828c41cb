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
    metrics {
      id: "returned_students_by_return_year"
      title_en: "Returned overseas students by year of return"
      title_zh: "归国留学人员(按回国年份)"
      registries: "returned_students"
      dimensions {
        name: "returned"
        field: "return_year"
        binning: NUMERIC_BANDS
        band_bounds: [ 2000, 2010, 2015, 2020 ]
      }
      time_basis: STOCK
      period_type: YEAR
      disclosure { method: SUPPRESSION threshold: 3 }
    }
    metrics {
      id: "enterprises_by_industry"
      title_en: "Enterprises by industry (GB/T 4754 section)"
      title_zh: "侨资侨属企业(按行业门类)"
      registries: "enterprises"
      dimensions { name: "industry" field: "industry" binning: ENUM_NAME }
      time_basis: STOCK
      period_type: YEAR
      disclosure { method: SUPPRESSION threshold: 3 }
    }
    metrics {
      id: "enterprises_by_source_region"
      title_en: "Enterprises by source region"
      title_zh: "侨资侨属企业(按资金来源地区)"
      registries: "enterprises"
      dimensions { name: "region" field: "source_country" binning: COUNTRY_TO_REGION }
      time_basis: STOCK
      period_type: YEAR
      disclosure { method: SUPPRESSION threshold: 3 }
    }
    metrics {
      id: "enterprises_capital_by_source_region"
      title_en: "Registered capital of enterprises by source region, yuan"
      title_zh: "侨资侨属企业注册资本(按资金来源地区,元)"
      registries: "enterprises"
      dimensions { name: "region" field: "source_country" binning: COUNTRY_TO_REGION }
      measure: SUM
      measure_field: "registered_capital_yuan"
      time_basis: STOCK
      period_type: YEAR
      disclosure { method: SUPPRESSION threshold: 3 }
    }
    metrics {
      id: "community_figures_by_category"
      title_en: "Community figures by category"
      title_zh: "侨界人士(按类别)"
      registries: "community_figures"
      dimensions { name: "category" field: "category" binning: ENUM_NAME }
      time_basis: STOCK
      period_type: YEAR
      disclosure { method: SUPPRESSION threshold: 3 }
    }
    metrics {
      id: "community_figures_by_role"
      title_en: "Community figures by role"
      title_zh: "侨界人士(按身份)"
      registries: "community_figures"
      dimensions {
        name: "role"
        field: "role"
        binning: CATEGORY_MAP
        categories { key: "区侨联委员" value: "federation_committee" }
        categories { key: "侨联青年委员会委员" value: "youth_committee" }
        categories { key: "侨商会会员" value: "chamber_of_commerce" }
        categories { key: "社区侨务联络员" value: "community_liaison" }
        categories { key: "归国留学人员联谊会会员" value: "returned_students_association" }
        categories { key: "侨界志愿者" value: "volunteer" }
        categories { key: "海外联谊会理事" value: "overseas_friendship_association" }
      }
      time_basis: STOCK
      period_type: YEAR
      disclosure { method: SUPPRESSION threshold: 3 }
    }
    metrics {
      id: "hardship_cases_by_type"
      title_en: "Families in hardship by hardship type"
      title_zh: "困难归侨侨眷(按困难类型)"
      registries: "hardship_cases"
      dimensions { name: "hardship" field: "hardship_type" binning: ENUM_NAME }
      time_basis: STOCK
      period_type: YEAR
      disclosure { method: SUPPRESSION threshold: 3 }
    }
    metrics {
      id: "aid_amount_by_kind"
      title_en: "Aid given to families in hardship by kind, yuan"
      title_zh: "帮扶金额(按帮扶方式,元)"
      registries: "aid_visits"
      dimensions { name: "aid" field: "aid_kind" binning: ENUM_NAME }
      measure: SUM
      measure_field: "amount_yuan"
      time_basis: EVENT
      date_field: "visit_date"
      period_type: YEAR
      disclosure { method: SUPPRESSION threshold: 3 }
    }
  )pb";
}

}  // namespace fedsync
