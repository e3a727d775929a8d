// The text of `.help`: an overview and one entry per statement, stage, function and aggregate,
// each with an example that runs on the bundled data. Dot commands come from their table.

import TerrainStorage
import TerrainSyntax
import TerrainIO
import TerrainPlanner
import TerrainExecution
import TerrainFunctions
import TerrainEngine

/// One help entry.
package struct HelpTopic {
  package var name: String
  package var kind: String
  package var synopsis: String
  package var text: String
  package var example: String
}

package let helpTopics: [HelpTopic] = [
  HelpTopic(name: "from", kind: "statement", synopsis: "from TABLE | stage | …",
    text: "Starts a pipeline on a table; stages are chained with `|`.", example: "from regions | take 3"),
  HelpTopic(name: "load", kind: "statement", synopsis: "load \"file.csv\" [as NAME] [with (sep = \";\", header = true, decimal = \",\", encoding = \"latin-1\", nulls = (\"NA\"), types = (code: text), skip_bad_rows = true, skip = 4, thousands = \" \", format = \"csv\")]",
    text: "Reads a file into a table: its format comes from `format`, else its content, else its extension (`.help formats`): an Excel workbook (.xlsx) reads its first sheet, or with (sheet = \"Données\", skip = 2), cells keeping their types; delimited text is the default, with separator, header, decimal comma, encoding and digit groups (`1 234`) sniffed. `skip` jumps title lines before the header; an option the file's format does not read is an error. The path may be a `$parameter`, or strings and parameters joined with `||` (load \"data/\" || $f); without `as`, the table is named after the file; loading over a table replaces it and says so. A `.csv.gz` is read compressed, and a `.zip` through the one delimited file it holds (`with (file = \"name.csv\")` picks one). `columns = (\"a\", \"b\")` loads only those columns, in that order. A Parquet file is read as statements need it: `load` reads its footer, each statement decodes only the columns it reads (kept for the next ones) and skips the row groups whose statistics rule out its first `where` (`.explain` says what it reads).",
    example: "load \"datasets/regions.csv.gz\" as r"),
  HelpTopic(name: "let", kind: "statement", synopsis: "let NAME = PIPELINE",
    text: "Names the result of a pipeline as a table (prints nothing).",
    example: "let grandes = from communes | where population > 50000"),
  HelpTopic(name: "pilots", kind: "statement", synopsis: "pilots TABLE key COL = \"k1\", \"k2\" | pilots TABLE where EXPR",
    text: "Names the pilot territories of the session.", example: "pilots epci key siren = \"244000675\", \"200066918\""),
  HelpTopic(name: "compare", kind: "statement", synopsis: "compare pilots on IND [asc], name = EXPR [asc], … [against peers where EXPR]",
    text: "One row per indicator: each pilot's value and rank among the peers, the peers' median, min, max, and the pooled value recomputed from the sums of its columns over the peers where it has a value. Rank 1 is the highest value, or the lowest for an indicator followed by `asc` (lower is better: unemployment, vacancy, emissions); ties share the better rank; N counts the peers with a value (plus the pilot when it is not one of them). Columns: `indicator`, per pilot `<name>` (its value), `<name> rank` and `<name> of` (the rank and its N, two whole numbers: exports never hold a `5/8` a spreadsheet could read as a date), then `median`, `min`, `max`, `pooled`; two pilots with the same name get their key in brackets, `CC des Quatre Rivières (247000623)`, everywhere. On screen each value has a bar (6 cells) showing how good it is among the peers, empty at the worst and full at the best: linear between the peers' min and max (from the max to the min for `asc`), or by rank (full for rank 1, empty for the last) when the peers are skewed, their median in the outer fifth of the range; the footer under the table names those indicators. Each row's numbers share one number of decimals (scientific notation below 1e-6 or from 1e15; `.decimals N` fixes them). A terminal too narrow for the pilots side by side gets one block per pilot (indicator, value and bar, rank, median), then the peers' figures. csv, json and exports keep every digit, and int indicators stay whole numbers there.",
    example: "compare pilots on population, densite = population / superficie against peers where population between 50000 and 150000"),
  HelpTopic(name: "attach", kind: "statement", synopsis: "attach \"CONNINFO\" as NAME [with (schema = \"public\")]",
    text: "Connects to a PostgreSQL database (a URI `postgresql://user@host:5432/db` or `host=… dbname=… user=…`; libpq fills in the rest from the `PG*` variables and `~/.pgpass`) and makes the tables and views of one schema (`public` by default) tables of the session named `NAME.table`: `from pg.communes | …`, `join pg.epci on …`, `append pg.t`, listed by `.tables` and `.schema` with the types terrain reads them as (int2/4/8 and numeric(p, 0) up to 18 digits as int, real/double/other numeric as float, text/varchar/char as text, bool, date, timestamp and timestamptz as their day; any other type as its text). A pipeline reads only the columns it names, through COPY in binary, and runs the rest in memory; `let x = from pg.t | …` keeps the result. `export \"pg.t\"` writes a table there in one transaction: created (an error if it exists), or with (mode = \"replace\") or (mode = \"append\"). Ctrl-C cancels on the server; a lost connection is reopened by the next statement. Attaching again under a name refreshes its tables; `.detach NAME` forgets it.",
    example: "attach \"postgresql://user@host/db\" as pg"),
  HelpTopic(name: "collation", kind: "topic", synopsis: ".collation [fr|binary]",
    text: """
      How text is sorted in `sort`, `sort | take`, window orders, `min`/`max`, `rank` and `pivot` columns. \
      `fr` (the default) is French order: letters first without accents or case (`Échallon` sorts with the E, \
      `évian` beside `Évian`, `œ` `æ` `ß` as `oe` `ae` `ss`), then unaccented before accented (é < è < ê < ë), \
      then lower case before upper case, then code points, so only equal texts tie. Spaces and punctuation count \
      and come before digits, digits before letters, one digit at a time (`10` before `9`): \
      `La Boisse` < `Labalme`, `Saint-Denis` < `Sainte-Anne`. `binary` is code point order \
      (`Z` before `a`, `É` after `z`). Equality (`==`, `in`, joins, `by`, `distinct`) is always exact, and \
      `<` `>` `least` `greatest` on text compare code points whatever the collation. `.collation` alone shows the current one.
      """,
    example: "from communes | where code_departement == \"01\" | sort nom | take 5"),
  HelpTopic(name: "sql", kind: "topic", synopsis: ".sql STATEMENT · terrain --sql FILE.tq",
    text: """
      A pipeline compiled to one PostgreSQL statement (printed, not run): where, select, derive (windows \
      included), drop, aggregate, join, sort, take (with by), distinct, append, unpivot, pivot and split become \
      one SELECT, with subqueries only where a stage cannot share the SELECT before it (a where after a take or an \
      aggregate, a window after an aggregate). The answers are terrain's: `/` is float division and `x / 0` null \
      (NULLIF), round is half away from zero, nulls come last in both directions, integer overflow is an error, \
      text casts that fail give null, dates follow terrain's rules, text sorts in French order through the ICU \
      collation "fr-FR-x-icu" (equality stays exact). Not compiled, with an error at the call: round with digits \
      that are not a constant, split_part with an empty separator, compare, pilots, chart and export to a file. Regular expressions run as PostgreSQL's (POSIX) where \
      terrain's are ICU's. Tables keep their names; `terrain --sql FILE.tq` prints each statement's SQL (a `let` as \
      CREATE TEMPORARY TABLE) for a database team to run; the SQL is plain PostgreSQL, which Citus runs as it is.
      """,
    example: ".sql from communes | where population > 10000 | aggregate n = count() by code_departement"),
  formatsHelp,
  lessonsHelp,
] + stageHelp + scalarHelp + aggregateHelp + windowHelp

/// The formats' entry comes from the registry: one line per format.
private let formatsHelp = HelpTopic(
  name: "formats", kind: "topic", synopsis: "load \"file.ext\" · export \"file.ext\" · with (format = \"…\")",
  text: formatsText(), example: "from regions | export \"/tmp/regions.md\"")

/// The text of `.help formats` in the current language, one line per format of the registry.
private func formatsText() -> String {
  helpText(kind: "topic", name: "formats", english: "The file formats `load` reads and `export` writes, picked by `format = \"…\"`, else (on load) the file's first bytes, else its extension; an export to another extension is an error.") + "\n"
    + FormatRegistry.standard.formats.map { f in
      let ways = [f.reader != nil ? "load" : nil, f.writer != nil ? "export" : nil].compactMap { $0 }.joined(separator: ", ")
      return "  \(f.name) (" + f.extensions.map { "." + $0 }.joined(separator: " ") + "; \(ways)): "
        + helpText(kind: "format", name: f.name, english: f.summary)
    }.joined(separator: "\n")
    + (FormatRegistry.standard.containers.isEmpty ? "" : "\n  " + HelpWords.compressedOrArchived + " "
      + FormatRegistry.standard.containers.map { c in c.name + " (" + c.extensions.map { "." + $0 }.joined(separator: " ") + ")" }.joined(separator: ", ")
      + HelpWords.aroundAnyFormat)
}

/// A topic's text in the current language.
private func localizedText(_ h: HelpTopic) -> String {
  h.kind == "topic" && h.name == "formats" ? formatsText() : helpText(kind: h.kind, name: h.name, english: h.text)
}

/// The scalar functions' entries come from their definitions (`FunctionRegistry.standard`), then
/// the two special forms.
private let scalarHelp: [HelpTopic] = FunctionRegistry.standard.scalars.map {
  HelpTopic(name: $0.rawValue, kind: "function", synopsis: $0.definition.help.synopsis, text: $0.definition.help.text,
    example: $0.definition.help.example)
} + [
  ("if", "if(cond, a, b)", "a where cond is true, else b (an error in the branch a row does not take is ignored)", "from communes | select taille = if(population > 10000, \"ville\", \"village\") | take 3"),
  ("coalesce", "coalesce(a, b, …)", "first non-null argument (later ones count only where the earlier are null)", "from communes | where code_departement == \"976\" | select nom, pop = coalesce(pop_2021, population) | take 3"),
  ("case", "case when COND then V [when COND then V …] [else V] end", "the value of the first `when` whose condition is true (a null condition goes on), else the `else` value (null without one); the values share one type, int with float giving float; an error in a value counts only on the rows that take it", "from communes | select nom, taille = case when population >= 10000 then \"ville\" when population >= 2000 then \"bourg\" else \"village\" end | take 3"),
  ("like", "x like \"pattern\", x not like …, x ilike …", "text matching a pattern: `%` any text (empty too), `_` exactly one character (not one byte); the whole text must match; `ilike` ignores case; there is no escape character (test a literal % with contains)", "from communes | where nom like \"Saint-%\" and code_insee not like \"01%\" | select nom, code_insee | take 3"),
  ("ilike", "x ilike \"pattern\"", "`like` ignoring case (both sides lower-cased)", "from communes | where nom ilike \"%-SUR-%\" | select nom | take 3"),
  ("dates", "d + n, d - n, d1 - d2, d >= \"2024-01-01\"", "the `date` type: `load` reads a column whose every value is `YYYY-MM-DD`, or every one `DD/MM/YYYY` (day first), as dates (one value that is not a real day, 31/02/2024, keeps the column text; `types = (d: date)` forces it, such values null); `d + n` and `d - n` add or take days, `d1 - d2` is an int of days; a date compares with a date or a text constant in either form; min, max, count, count_distinct, sort, by keys and windows work on dates, sum and avg do not; shown and exported as YYYY-MM-DD, `DD/MM/YYYY` with dialect = \"excel-fr\"", "from regions | select d = date(\"15/03/2024\") + 30, jours = date(\"2024-12-25\") - date(\"2024-03-15\") | take 1"),
].map {
  HelpTopic(name: $0.0, kind: ["like", "ilike", "dates"].contains($0.0) ? "operator" : "function", synopsis: $0.1, text: $0.2, example: $0.3)
}

private let aggregateHelp: [HelpTopic] = FunctionRegistry.standard.aggregates.map {
  HelpTopic(name: $0.rawValue, kind: "aggregate", synopsis: $0.definition.help.synopsis, text: $0.definition.help.text,
    example: $0.definition.help.example)
}

/// The window functions' entries (allowed only in `derive … sort …`), from their definitions.
private let windowHelp: [HelpTopic] = FunctionRegistry.standard.windows.map {
  HelpTopic(name: $0.rawValue, kind: "window", synopsis: $0.definition.help.synopsis, text: $0.definition.help.text,
    example: $0.definition.help.example)
}

/// The `.help` text: the overview, or one topic; an unknown topic is an error at `span`.
package func helpText(_ topic: String?, at span: Span? = nil) throws -> String {
  guard let raw = topic else {
    return HelpWords.overview(
      stages: helpTopics.filter { $0.kind == "stage" }.map(\.name), functions: helpTopics.filter { $0.kind == "function" }.map(\.name),
      aggregates: helpTopics.filter { $0.kind == "aggregate" }.map(\.name), windows: helpTopics.filter { $0.kind == "window" }.map(\.name),
      commands: ShellCommands.all.map { "." + $0.name })
  }
  let t = raw.hasPrefix(".") ? String(raw.dropFirst()).lowercased() : raw.lowercased()
  if raw.hasPrefix(".") || helpTopics.first(where: { $0.name == t }) == nil, let c = ShellCommands.all.first(where: { $0.name == t }) {
    return ".\(c.name)\(c.arguments.isEmpty ? "" : " " + c.arguments)\n  \(helpText(kind: "command", name: c.name, english: c.help))\n"
      + "  \(HelpWords.example) \(c.example)\n"
  }
  // The groups of the overview, each listed with one line per topic.
  let groups: [String: (HelpTopic) -> Bool] = [
    "statements": { $0.kind == "statement" }, "stages": { $0.kind == "stage" },
    "functions": { $0.kind == "function" || $0.kind == "aggregate" || $0.kind == "window" },
    "aggregates": { $0.kind == "aggregate" }, "windows": { $0.kind == "window" },
  ]
  if let inGroup = groups[t] {
    return helpTopics.filter(inGroup).map { "\($0.synopsis)  — \(localizedText($0))" }.joined(separator: "\n") + "\n"
  }
  if t == "commands" {
    return ShellCommands.all.map {
      ".\($0.name)\($0.arguments.isEmpty ? "" : " " + $0.arguments)  — \(helpText(kind: "command", name: $0.name, english: $0.help))"
    }
      .joined(separator: "\n") + "\n"
  }
  guard let h = helpTopics.first(where: { $0.name == t }) else {
    // An unknown topic is an error like any bad argument (stderr, exit code 1 in a script).
    let commands = ShellCommands.all.map(\.name)
    let suggestion = raw.hasPrefix(".")
      ? closestName(to: t, in: commands).map { "." + $0 }
      : closestName(to: t, in: helpTopics.map(\.name) + commands + ["statements", "stages", "functions", "aggregates", "windows", "commands"])
    throw Diagnostic(.noHelpOn, raw, at: span, label: .unknownTopic,
      help: suggestion.map { .didYouMeanHelp($0) } ?? .helpListsTheTopics)
  }
  return "\(h.synopsis)   (\(HelpWords.kind(h.kind)))\n  \(localizedText(h))\n  \(HelpWords.example) \(h.example)\n"
}

/// Every help topic name (for tests and completion).
package var allHelpTopicNames: [String] { helpTopics.map(\.name) + ShellCommands.all.map { "." + $0.name } }

/// The stages' entries, from their definitions (TerrainPlanner/Stages), in `Grammar.terrain` order.
private let stageHelp: [HelpTopic] = Grammar.terrain.stages.map {
  HelpTopic(name: $0.keyword, kind: "stage", synopsis: $0.help.synopsis, text: $0.help.text, example: $0.help.example)
}
