// The catalog entries of the reshaping stages (`take … by`, `append`, `unpivot`, `pivot`,
// `split`), grouped here until they move into DiagnosticCatalog.swift.

extension DiagnosticMessage {
  /// `append t` where a column has two types that do not combine.
  package static let appendTypeClash = DiagnosticMessage(.bind, "append-type-clash",
    "`append {}`: column `{}` is {} in the rows so far but {} in `{}`")
  /// `unpivot` of columns whose types do not combine.
  package static let unpivotTypeClash = DiagnosticMessage(.bind, "unpivot-type-clash",
    "`unpivot` needs columns of one type, but `{}` is {} and `{}` is {}")
  /// `unpivot PREFIX*` matching no column.
  package static let unpivotNoPrefixMatch = DiagnosticMessage(.bind, "unpivot-no-prefix-match",
    "no column of `{}` starts with `{}`")
  /// A column listed twice, or a listed column named again by `into`.
  package static let unpivotDuplicate = DiagnosticMessage(.bind, "unpivot-duplicate",
    "column `{}` is listed twice in `unpivot`")
  /// `into NAME, VALUE` naming a column that is kept.
  package static let unpivotNameTaken = DiagnosticMessage(.bind, "unpivot-name-taken",
    "`into {}`: a column `{}` is already kept by `unpivot`")
  /// More rows than a relation may hold.
  package static let tooManyRows = DiagnosticMessage(.run, "too-many-rows",
    "`{}` would make {} rows, more than the {} a result may hold")
  /// `pivot` on a column with too many values.
  package static let pivotTooManyValues = DiagnosticMessage(.bind, "pivot-too-many-values",
    "`pivot {}` would make {} columns: `{}` has {} distinct values, more than the {} allowed")
  /// A column name made by `pivot` clashes with a `by` column or another value's.
  package static let pivotNameClash = DiagnosticMessage(.bind, "pivot-name-clash",
    "`pivot {}` would make two columns named `{}`")
  /// `pivot` over an input that has no value of NAMES and no `by`.
  package static let pivotNoValues = DiagnosticMessage(.bind, "pivot-no-values",
    "`pivot {}` found no value of `{}`: the rows coming in are empty, so there is no column to make")
  /// Planning a `pivot` where no data can be read.
  package static let pivotNoProbe = DiagnosticMessage(.bind, "pivot-no-probe",
    "`pivot` needs to read the distinct values of `{}` while planning, which is not possible here")
  /// `split` of a column that is not text.
  package static let splitNotText = DiagnosticMessage(.bind, "split-not-text",
    "`split` cuts text, but `{}` is {}")
  /// `take N by` with an aggregate or a key that is not a value.
  package static let takeByKey = DiagnosticMessage(.bind, "take-by-key",
    "a group key of `take … by` cannot be {}")
}
