// The French text of `.help`: one entry per help topic, keyed `KIND.NAME` (`stage.where`,
// `function.abs`, `aggregate.sum`, `window.rank`, `operator.like`, `statement.from`,
// `topic.collation`), per dot command (`command.help`) and per file format (`format.csv`), plus
// the words of the help pages themselves. Synopses, examples, keywords and function names stay
// as they are: only the explanations are translated. A test requires every topic, dot command
// and format to have its French text here.
//
// A new topic (a function, a stage, a dot command, a format): its English text where it is
// defined, its French line here under the same key. The lesson commands go under
// `// MARK: lessons` (`command.lesson`, `command.check`, …).

import TerrainEngine
import TerrainSyntax

/// The French explanations of the help topics, dot commands and formats.
package let frenchHelp: [String: String] = {
  var table: [String: String] = [:]
  for part in [frenchStatementHelp, frenchStageHelp, frenchFunctionHelp, frenchCommandHelp, frenchFormatHelp, frenchLessonHelp] {
    table.merge(part) { first, _ in first }
  }
  return table
}()

/// The text of a help entry (`kind`, `name`) in the current language: its French text when the
/// language is French and there is one, else `english`.
package func helpText(kind: String, name: String, english: String) -> String {
  guard MessageLanguage.current == .french, let fr = frenchHelp[kind + "." + name] else { return english }
  return fr
}

/// The words of the help pages, in the current language.
package enum HelpWords {
  package static var example: String { MessageLanguage.current == .french ? "exemple :" : "example:" }

  package static var compressedOrArchived: String {
    MessageLanguage.current == .french ? "compressés ou archivés :" : "compressed or archived:"
  }
  package static var aroundAnyFormat: String {
    MessageLanguage.current == .french ? ", autour de tout format lisible" : ", around any readable format"
  }

  /// The page of `.help` alone: the lists given, with the words of the current language.
  package static func overview(stages: [String], functions: [String], aggregates: [String], windows: [String], commands: [String]) -> String {
    let w = MessageLanguage.current == .french ? OverviewWords.french : OverviewWords.english
    let width = w.labels.map(\.count).max() ?? 0
    func line(_ label: String, _ text: String) -> String { label + String(repeating: " ", count: width - label.count + 1) + text + "\n" }
    var s = w.intro + "\n\n"
    s += "  from communes | where code_departement == \"69\" | aggregate n = count() by epci | sort n desc | take 5\n\n"
    let lists = [
      "from, load, let, pilots, compare, attach", stages.joined(separator: ", "), functions.joined(separator: ", "),
      aggregates.joined(separator: ", "), windows.joined(separator: ", ") + w.windowsNote,
      "+ - * / % == != < <= > >= and or not in between is null || like ilike", commands.joined(separator: " "),
    ]
    for (label, text) in zip(w.labels, lists + [w.lines.first ?? ""]) { s += line(label, text) }
    for rest in w.lines.dropFirst() { s += String(repeating: " ", count: width + 1) + rest + "\n" }
    return s + "\n" + w.outro.joined(separator: "\n") + "\n"
  }

  /// `(stage)`, `(fonction)`: the kind of a topic as its page shows it.
  package static func kind(_ kind: String) -> String {
    guard MessageLanguage.current == .french else { return kind }
    let french = [
      "statement": "instruction", "stage": "étape", "function": "fonction", "aggregate": "agrégat", "window": "fenêtre",
      "operator": "opérateur", "topic": "sujet",
    ]
    return french[kind] ?? kind
  }
}

// MARK: statements and topics
private let frenchStatementHelp: [String: String] = [
  "statement.from": "Commence un pipeline sur une table ; les étapes s'enchaînent avec `|`.",
  "statement.load": "Lit un fichier dans une table : son format vient de `format`, sinon de son contenu, sinon de son extension (`.help formats`) : un classeur Excel (.xlsx) lit sa première feuille, ou with (sheet = \"Données\", skip = 2), les cellules gardant leur type ; le texte délimité est le format par défaut, avec séparateur, en-tête, virgule décimale, encodage et groupes de chiffres (`1 234`) détectés. `skip` saute des lignes de titre avant l'en-tête ; une option que le format du fichier ne lit pas est une erreur. Le chemin peut être un `$paramètre`, ou des textes et paramètres joints par `||` (load \"data/\" || $f) ; sans `as`, la table prend le nom du fichier ; charger par-dessus une table la remplace et le dit. Un `.csv.gz` se lit compressé, et un `.zip` par l'unique fichier délimité qu'il contient (`with (file = \"nom.csv\")` en choisit un). `columns = (\"a\", \"b\")` ne charge que ces colonnes, dans cet ordre (un fichier Parquet ne décode alors qu'elles).",
  "statement.let": "Nomme le résultat d'un pipeline comme une table (n'affiche rien).",
  "statement.pilots": "Nomme les territoires pilotes de la session.",
  "statement.compare": "Une ligne par indicateur : la valeur de chaque pilote et son rang parmi les pairs, la médiane, le min et le max des pairs, et la valeur agrégée recalculée à partir des sommes de ses colonnes sur les pairs où elle a une valeur. Le rang 1 est la plus grande valeur, ou la plus petite pour un indicateur suivi de `asc` (plus bas, c'est mieux : chômage, vacance, émissions) ; les ex aequo partagent le meilleur rang ; N compte les pairs qui ont une valeur (plus le pilote quand il n'en fait pas partie). Colonnes : `indicator`, par pilote `<nom>` (sa valeur), `<nom> rank` et `<nom> of` (le rang et son N, deux nombres entiers : un export ne contient jamais un `5/8` qu'un tableur lirait comme une date), puis `median`, `min`, `max`, `pooled` ; deux pilotes de même nom reçoivent leur clé entre parenthèses, `CC des Quatre Rivières (247000623)`, partout. À l'écran chaque valeur a une barre (6 cases) qui montre sa position parmi les pairs, vide pour la pire et pleine pour la meilleure : linéaire entre le min et le max des pairs (du max au min pour `asc`), ou selon le rang (pleine pour le rang 1, vide pour le dernier) quand les pairs sont asymétriques, leur médiane dans le cinquième extérieur de l'étendue ; le pied sous le tableau nomme ces indicateurs. Les nombres d'une ligne partagent un même nombre de décimales (notation scientifique sous 1e-6 ou à partir de 1e15 ; `.decimals N` les fixe). Un terminal trop étroit pour mettre les pilotes côte à côte reçoit un bloc par pilote (indicateur, valeur et barre, rang, médiane), puis les chiffres des pairs. csv, json et les exports gardent tous les chiffres, et les indicateurs entiers y restent des nombres entiers.",
  "statement.attach": "Se connecte à une base PostgreSQL (une URI `postgresql://user@host:5432/db` ou `host=… dbname=… user=…` ; libpq complète le reste par les variables `PG*` et `~/.pgpass`) et fait des tables et vues d'un schéma (`public` par défaut) des tables de la session nommées `NOM.table` : `from pg.communes | …`, `join pg.epci on …`, `append pg.t`, listées par `.tables` et `.schema` avec les types sous lesquels terrain les lit (int2/4/8 et numeric(p, 0) jusqu'à 18 chiffres en int, real/double/autres numeric en float, text/varchar/char en text, bool, date, timestamp et timestamptz en leur jour ; tout autre type en son texte). Un pipeline ne lit que les colonnes qu'il nomme, par COPY en binaire, et exécute le reste en mémoire ; `let x = from pg.t | …` garde le résultat. `export \"pg.t\"` y écrit une table en une transaction : créée (une erreur si elle existe), ou with (mode = \"replace\") ou (mode = \"append\"). Ctrl-C annule sur le serveur ; une connexion perdue est rouverte par l'instruction suivante. Attacher de nouveau sous un nom rafraîchit ses tables ; `.detach NOM` l'oublie.",
  "topic.collation": "Comment le texte est trié dans `sort`, `sort | take`, les ordres de fenêtre, `min`/`max`, `rank` et les colonnes de `pivot`. `fr` (par défaut) est l'ordre français : les lettres d'abord sans accents ni casse (`Échallon` se range avec les E, `évian` à côté de `Évian`, `œ` `æ` `ß` comme `oe` `ae` `ss`), puis sans accent avant accentué (é < è < ê < ë), puis minuscule avant majuscule, puis points de code, si bien que seuls des textes égaux sont ex aequo. Espaces et ponctuation comptent et viennent avant les chiffres, les chiffres avant les lettres, un chiffre à la fois (`10` avant `9`) : `La Boisse` < `Labalme`, `Saint-Denis` < `Sainte-Anne`. `binary` est l'ordre des points de code (`Z` avant `a`, `É` après `z`). L'égalité (`==`, `in`, jointures, `by`, `distinct`) est toujours exacte, et `<` `>` `least` `greatest` sur du texte comparent les points de code quelle que soit la collation. `.collation` seul montre la collation courante.",
  "topic.formats": "Les formats de fichier que `load` lit et que `export` écrit, choisis par `format = \"…\"`, sinon (au chargement) par les premiers octets du fichier, sinon par son extension ; un export vers une autre extension est une erreur.",
  "topic.sql": "Un pipeline compilé en une instruction PostgreSQL (affichée, non exécutée) : where, select, derive (fenêtres comprises), drop, aggregate, join, sort, take (avec by), distinct, append, unpivot, pivot et split deviennent un seul SELECT, avec des sous-requêtes seulement là où une étape ne peut pas partager le SELECT qui la précède (un where après un take ou un aggregate, une fenêtre après un aggregate). Les réponses sont celles de terrain : `/` est la division flottante et `x / 0` vaut null (NULLIF), round arrondit la moitié loin de zéro, les null viennent à la fin dans les deux sens, un dépassement d'entier est une erreur, les conversions de texte qui échouent donnent null, les dates suivent les règles de terrain, le texte se trie dans l'ordre français par la collation ICU \"fr-FR-x-icu\" (l'égalité reste exacte). Non compilés, avec une erreur à l'appel : round avec un nombre de chiffres non constant, split_part avec un séparateur vide, compare, pilots, chart et export vers un fichier. Les expressions régulières s'exécutent comme celles de PostgreSQL (POSIX) là où celles de terrain sont d'ICU. Les tables gardent leur nom ; `terrain --sql FICHIER.tq` affiche le SQL de chaque instruction (un `let` en CREATE TEMPORARY TABLE) pour qu'une équipe base de données l'exécute ; le SQL est du PostgreSQL simple, que Citus exécute tel quel.",
  "operator.like": "texte qui suit un motif : `%` n'importe quel texte (vide aussi), `_` exactement un caractère (pas un octet) ; tout le texte doit correspondre ; `ilike` ignore la casse ; il n'y a pas de caractère d'échappement (testez un % littéral avec contains)",
  "operator.ilike": "`like` sans tenir compte de la casse (les deux côtés en minuscules)",
  "operator.dates": "le type `date` : `load` lit comme des dates une colonne dont chaque valeur est `AAAA-MM-JJ`, ou chacune `JJ/MM/AAAA` (jour d'abord) (une seule valeur qui n'est pas un vrai jour, 31/02/2024, laisse la colonne en texte ; `types = (d: date)` la force, ces valeurs à null) ; `d + n` et `d - n` ajoutent ou retirent des jours, `d1 - d2` est un int de jours ; une date se compare à une date ou à un texte constant sous l'une ou l'autre forme ; min, max, count, count_distinct, sort, les clés de by et les fenêtres marchent sur les dates, sum et avg non ; affichées et exportées en AAAA-MM-JJ, `JJ/MM/AAAA` avec dialect = \"excel-fr\"",
  "function.if": "a là où cond est vraie, sinon b (une erreur dans la branche qu'une ligne ne prend pas est ignorée)",
  "function.coalesce": "premier argument non null (les suivants ne comptent que là où les précédents sont null)",
  "function.case": "la valeur du premier `when` dont la condition est vraie (une condition null passe à la suivante), sinon la valeur de `else` (null sans lui) ; les valeurs partagent un type, int avec float donnant float ; une erreur dans une valeur ne compte que sur les lignes qui la prennent",
]

// MARK: stages
private let frenchStageHelp: [String: String] = [
  "stage.where": "Garde les lignes où la condition est vraie (null compte comme faux).",
  "stage.select": "Garde ou calcule exactement ces colonnes.",
  "stage.derive": "Ajoute ou remplace des colonnes. Avec `by`/`sort` c'est une fenêtre : les agrégats sont calculés sur le groupe de la ligne (toute la table sans `by`) et les fonctions de fenêtre (rank(), lag(x), cumsum(x), …) suivent l'ordre de `sort`.",
  "stage.drop": "Retire des colonnes.",
  "stage.aggregate": "Une ligne par groupe (une ligne en tout sans `by`) ; les colonnes du groupe viennent d'abord.",
  "stage.sort": "Tri stable sur des colonnes ou des expressions ; les null à la fin dans les deux sens ; le texte dans l'ordre français par défaut (`.help collation`).",
  "stage.take": "Les N premières lignes ; avec `by`, les N premières lignes de chaque groupe, dans l'ordre courant (après `sort` : les N premiers de chaque groupe), les lignes gardant leur ordre relatif.",
  "stage.join": "Jointure par hachage ; une colonne commune n'apparaît qu'une fois ; les colonnes de droite en conflit reçoivent `_TABLE`.",
  "stage.distinct": "Lignes uniques, ou chaque combinaison des colonnes données une fois.",
  "stage.append": "Les lignes de TABLE après les lignes courantes. Les colonnes s'apparient par nom, dans l'ordre de la première table, puis les autres colonnes de TABLE ; une colonne absente d'un côté est null sur ses lignes ; int avec float donne float ; tout autre conflit de types est une erreur.",
  "stage.unpivot": "De large à long : une ligne par ligne d'entrée et colonne citée, dans cet ordre, null compris ; NOM (texte) contient le nom de la colonne, VALEUR sa valeur, les autres colonnes viennent d'abord. `PREFIXE*` cite toutes les colonnes qui commencent par PREFIXE, dans l'ordre de la table. Les colonnes citées doivent avoir un même type (int et float donnent float).",
  "stage.pivot": "De long à large : une ligne par groupe de `by` (une ligne en tout sans lui), puis une colonne par valeur distincte de NAMES dans l'ordre croissant, avec l'agrégat sur les lignes du groupe qui ont cette valeur (null là où il n'y en a pas). Plusieurs agrégats sont chacun nommés (`using n = count(), s = sum(x)`) et donnent des colonnes `VALEUR_nom`, valeur par valeur. Une colonne prend le texte de la valeur (`2017`, `T3`, `null`) ; au plus 1 000 valeurs. La planification lit les valeurs distinctes de NAMES (le seul endroit où la planification lit des données ; `.explain` le montre).",
  "stage.split": "Une ligne par morceau du texte COL coupé à SEP, les autres colonnes répétées ; un texte vide donne une ligne avec un morceau vide, un null une ligne avec null.",
  "stage.export": "Écrit les lignes de façon atomique (.xlsx : une feuille, en-tête gras figé, cellules typées), dans le format de l'extension (`.help formats` ; une autre extension est une erreur) ou de `format = \"…\"`. Le chemin peut être un `$paramètre`, ou des textes et paramètres joints par `||` : export \"fiche_\" || $siren || \".csv\".",
  "stage.chart": "Dessine les lignes : `bar` une barre horizontale par ligne (étiquette à gauche, valeur à droite), `column` une barre verticale par ligne, `line` Y en fonction de X (un nombre ou une date) reliés dans l'ordre de X, `scatter` un point par ligne. Dans le terminal il utilise des caractères de bloc ajustés à sa largeur (80 hors terminal), au plus 100 barres (`column` : autant qu'il en tient), et dit combien il en a dessiné ; les barres partent de zéro, les valeurs négatives vont donc à gauche (en bas). Les lignes à valeur null sont laissées de côté avec une note. Avec `to \"fichier.svg\"` il écrit un SVG (titre, axes, graduations au format de nombre français, couleurs qui restent lisibles à l'impression) de façon atomique, comme `export`. Options : `title` (par défaut : le nom de la colonne des valeurs), `width` et `height` (terminal : colonnes et lignes du tracé ; SVG : pixels). `map` dessine une carte choroplèthe des départements (CODE `01`…`95`, `2A`, `2B` ; un nombre entier 1 est `01`) ou des régions (`11`…`94`), reconnus par leurs codes (ou `level = \"departement\"|\"region\"`), sur les contours IGN fournis en Lambert-93 : `classes` (2–9, 5 par défaut) découpées par `method` = \"quantile\" (par défaut), \"equal\" ou \"jenks\" ; une palette séquentielle lisible par les daltoniens, divergente (rouges, bleus) quand les valeurs sont de part et d'autre de 0 ; les territoires sans valeur hachurés en gris ; les valeurs d'outre-mer (971…976) listées sous la carte ; un code sans contour est un avertissement ; une ligne par territoire. Dans le terminal elle est dessinée en demi-blocs colorés (un graphique en barres classées sans couleurs), légende dessous ; en SVG avec une légende, `source = \"…\"` en bas. `outlines = \"f.geojson\"` utilise d'autres contours (une propriété `code` par entité). Par ex. `from departements | chart map code_departement, share_ftth to \"fibre.svg\" with (classes = 4, method = \"jenks\")`.",
]

// MARK: functions, aggregates, window functions
private let frenchFunctionHelp: [String: String] = [
  "function.abs": "valeur absolue",
  "function.round": "arrondit, la moitié s'éloignant de zéro",
  "function.floor": "plus grand entier ≤ x",
  "function.ceil": "plus petit entier ≥ x",
  "function.sqrt": "racine carrée (null pour x < 0)",
  "function.ln": "logarithme népérien (null pour x ≤ 0)",
  "function.log10": "logarithme en base 10",
  "function.exp": "e puissance x (un dépassement est une erreur)",
  "function.pow": "x puissance y",
  "function.least": "plus petit argument non null",
  "function.greatest": "plus grand argument non null",
  "function.lower": "en minuscules",
  "function.upper": "en majuscules",
  "function.length": "nombre de caractères",
  "function.trim": "retire les espaces autour",
  "function.substr": "partie d'un texte, à partir de 1",
  "function.replace": "remplace chaque occurrence",
  "function.starts_with": "vrai quand s commence par prefix",
  "function.contains": "vrai quand s contient part",
  "function.left": "les n premiers caractères ; un n négatif retire les -n derniers",
  "function.right": "les n derniers caractères ; un n négatif retire les -n premiers",
  "function.lpad": "s complété à gauche par pad (répété) jusqu'à n caractères, ou coupé à ses n premiers ; n ≤ 0 donne \"\"",
  "function.split_part": "le morceau n (à partir de 1 ; négatif : depuis la fin) de s coupé à sep ; \"\" quand ce morceau n'existe pas ; un sep vide coupe entre les caractères",
  "function.matches": "vrai quand l'expression régulière trouve une correspondance dans s (ancrez-la avec ^ et $ pour tout le texte) ; syntaxe ICU, le motif est une constante",
  "function.regexp_replace": "remplace chaque correspondance (DuckDB demande 'g' pour cela) ; $1, $2… dans le remplacement insèrent les groupes, \\$ un dollar ; syntaxe ICU",
  "function.regexp_extract": "le texte de la première correspondance, ou de son groupe (1, 2… ; 0 = toute la correspondance) ; null quand rien ne correspond",
  "function.int": "convertit en int (les flottants sont tronqués ; un texte invalide donne null)",
  "function.float": "convertit en float",
  "function.text": "convertit en texte",
  "function.date": "un texte `AAAA-MM-JJ` ou `JJ/MM/AAAA` (jour d'abord) en date ; null si ce n'est pas un vrai jour",
  "function.year": "l'année d'une date",
  "function.month": "le mois d'une date, de 1 à 12",
  "function.day": "le jour du mois, de 1 à 31",
  "function.quarter": "le trimestre d'une date, de 1 à 4",
  "function.weekday": "le jour ISO de la semaine : lundi = 1 … dimanche = 7",
  "function.date_trunc": "le premier jour du mois, du trimestre ou de l'année de la date",
  "function.make_date": "la date de l'année, du mois, du jour ; null si ce n'est pas un vrai jour",
  "function.today": "la date du jour (UTC), la même sur chaque ligne",
  "aggregate.count": "les lignes, ou les valeurs non null de x",
  "aggregate.count_distinct": "valeurs distinctes non null",
  "aggregate.sum": "total (null sans valeur ; un dépassement est une erreur)",
  "aggregate.avg": "moyenne",
  "aggregate.min": "plus petite valeur",
  "aggregate.max": "plus grande valeur",
  "aggregate.median": "médiane, interpolée",
  "aggregate.quantile": "quantile d'ordre q (0 ≤ q ≤ 1), interpolé linéairement",
  "aggregate.stddev": "écart type d'échantillon",
  "aggregate.share": "sum(x) du groupe divisé par sum(x) sur toutes les lignes ; dans `derive … by k`, x / sum(x) du groupe de la ligne",
  "window.row_number": "1, 2, 3… dans l'ordre de la fenêtre (les lignes ex aequo gardent leur ordre d'entrée)",
  "window.rank": "rang dans l'ordre de la fenêtre ; les ex aequo partagent le plus petit rang, avec des trous après eux",
  "window.dense_rank": "rang dans l'ordre de la fenêtre ; les ex aequo partagent le plus petit rang, sans trous",
  "window.percent_rank": "(rang - 1) / (lignes du groupe - 1), 0 pour un groupe d'une ligne",
  "window.ntile": "tranche 1…n de tailles presque égales dans l'ordre de la fenêtre, les premières tranches plus grandes",
  "window.lag": "x de n lignes avant dans l'ordre de la fenêtre (n = 1), sinon default (null)",
  "window.lead": "x de n lignes après dans l'ordre de la fenêtre (n = 1), sinon default (null)",
  "window.first": "x de la première ligne du groupe dans l'ordre de la fenêtre",
  "window.last": "x de la dernière ligne du groupe dans l'ordre de la fenêtre",
  "window.cumsum": "total cumulé dans l'ordre de la fenêtre, null ignorés (un dépassement d'entiers est une erreur)",
  "window.cummin": "minimum cumulé dans l'ordre de la fenêtre, null ignorés",
  "window.cummax": "maximum cumulé dans l'ordre de la fenêtre, null ignorés",
  "window.rolling_sum": "somme sur cette ligne et les n - 1 précédentes du groupe, null ignorés",
  "window.rolling_avg": "moyenne sur cette ligne et les n - 1 précédentes du groupe, null ignorés",
]

// MARK: dot commands
private let frenchCommandHelp: [String: String] = [
  "command.help": "vue d'ensemble, ou aide sur une étape, une fonction, une instruction ou une commande point",
  "command.tables": "les tables avec leurs nombres de lignes et de colonnes et leur provenance",
  "command.schema": "colonnes, types et nombres de null",
  "command.describe": "par colonne : type, null, distinctes, min, max, moyenne",
  "command.mode": "comment les résultats s'affichent",
  "command.maxrows": "en mode table, montre les premières et dernières lignes des résultats plus longs (0 = tout)",
  "command.decimals": "en mode table, chaque colonne de flottants avec N décimales ; auto (par défaut) les choisit par colonne ; seul, montre le réglage",
  "command.timer": "affiche `durée : N ms` sur stderr après chaque instruction",
  "command.echo": "affiche chaque instruction avant son résultat",
  "command.read": "exécute un script dans la session",
  "command.explain": "le plan optimisé et les expressions compilées",
  "command.drop": "oublie une table",
  "command.pilots": "les territoires pilotes et leurs noms affichés",
  "command.save": "écrit toutes les tables en mémoire et les pilotes dans un fichier (un zip de fichiers Arrow IPC), pour `.open`",
  "command.open": "restaure les tables et les pilotes d'un fichier écrit par `.save`, à la place de ceux de la session (`terrain --open FICHIER` au démarrage)",
  "command.collation": "comment le texte est trié : fr (ordre français, par défaut) ou binary (points de code) ; seul, la montre (`.help collation`)",
  "command.sql": "l'instruction PostgreSQL en laquelle un pipeline se compile, affichée, non exécutée (`.help sql`)",
  "command.detach": "oublie une base attachée par `attach … as NOM` (ses tables ne sont plus `NOM.table`)",
  "command.lang": "la langue des messages, des notices et de l'aide : fr (français) ou en (English) ; seul, la montre",
  "command.quit": "quitte terrain",
]

// MARK: formats
private let frenchFormatHelp: [String: String] = [
  "format.csv": "texte délimité : séparateur, marque décimale, encodage et en-tête détectés (RFC 4180 à l'écriture)",
  "format.tsv": "texte séparé par des tabulations (tabulations et sauts de ligne des valeurs écrits \\t, \\n)",
  "format.markdown": "un tableau Markdown, nombres alignés à droite",
  "format.json": "un tableau d'objets, un par ligne (RFC 8259)",
  "format.arrow": "fichiers Apache Arrow IPC (Feather v2), sans compression : lus en mémoire projetée, texte gardé encodé par dictionnaire",
  "format.parquet": "Apache Parquet : colonnes plates, snappy/gzip/zstd/lz4 en lecture ; zstd avec statistiques en écriture",
  "format.xlsx": "classeur Excel : une feuille (la première, ou `sheet = \"…\"`), les cellules gardent leur type",
]

// MARK: lessons
/// The French of the lesson commands' help (`command.lesson`, `command.check`, `command.hint`,
/// `command.next`, `command.solution`, `command.record`, `command.param`).
private let frenchLessonHelp: [String: String] = [
  "topic.lessons": "Un fichier de leçon contient des exercices, chacun avec un titre, des indices en nombre quelconque et une solution : `exercise \"Les EPCI de plus de 100 000 habitants\"`, puis des lignes `hint \"filtrez avec where\"`, puis `solution from epci | where population > 100000 | aggregate n = count()` (la solution continue sur les lignes suivantes jusqu'à une ligne vide ou au prochain `exercise`, `hint` ou `solution`). Les lignes qui commencent par `#` sont des commentaires ; les instructions avant le premier exercice (`pilots …`, `let …`, `load …`) préparent la leçon et s'exécutent à son ouverture. `.lesson FICHIER` (ou `terrain --lesson FICHIER`) l'ouvre à l'exercice où vous l'aviez laissée ; vous tapez des pipelines, et `.check` compare votre dernier résultat à celui de la solution : colonnes par position (les noms ne comptent pas), lignes dans n'importe quel ordre sauf si la solution trie, nombres égaux à 1e-9 près en relatif. Il répond ✓, ou montre ce qui diffère : un mauvais nombre de colonnes, les lignes manquantes, les lignes en trop, les cellules différentes. `.hint` montre l'indice suivant, `.solution` la solution, `.next` passe à la suite. La progression est gardée dans le dossier d'état ($XDG_STATE_HOME/terrain/lessons.json, sinon ~/.terrain_lessons.json).",
  "command.param": "donne au paramètre $NOM le texte VALEUR (comme -p NOM=VALEUR) ; NOM seul le montre ; seul, les liste",
  "command.record": "écrit chaque instruction et son résultat dans FICHIER.md en Markdown jusqu'à `.record off` (un fichier existant est continué)",
  "command.lesson": "ouvre un fichier de leçon et montre son exercice courant (`.help lessons`) ; seul, remontre l'exercice",
  "command.check": "compare le dernier résultat à la solution de l'exercice : ✓, ou ce qui diffère",
  "command.hint": "l'indice suivant de l'exercice",
  "command.solution": "la solution de l'exercice",
  "command.next": "l'exercice suivant de la leçon",
]

/// The words of the `.help` overview in one language: the labels of its lines (statements,
/// stages, functions, aggregates, windows, operators, commands, lines) and its prose.
private struct OverviewWords {
  var intro: String
  var labels: [String]
  var windowsNote: String
  var lines: [String]
  var outro: [String]

  static let english = OverviewWords(
    intro: "terrain — explore territorial data with pipelines.",
    labels: ["statements:", "stages:", "functions:", "aggregates:", "windows:", "operators:", "commands:", "lines:"],
    windowsNote: " (in derive … by … sort …)",
    lines: [
      "a statement goes on while a line ends with | or , or a bracket or quote is open, or the",
      "next line starts with |; `;` ends it. At the prompt, a line starting with | adds its stages",
      "to the previous query and runs it again: from communes, then | where population > 10000",
    ],
    outro: [
      ".help TOPIC for details and an example, e.g. .help aggregate; .help stages (or statements, functions,",
      "aggregates, windows, commands) lists a group; .lang fr: français",
    ])

  static let french = OverviewWords(
    intro: "terrain — explorer des données territoriales avec des pipelines.",
    labels: ["instructions :", "étapes :", "fonctions :", "agrégats :", "fenêtres :", "opérateurs :", "commandes :", "lignes :"],
    windowsNote: " (dans derive … by … sort …)",
    lines: [
      "une instruction continue tant qu'une ligne finit par | ou , ou qu'une parenthèse ou un",
      "guillemet est ouvert, ou que la ligne suivante commence par | ; `;` la termine. À l'invite,",
      "une ligne qui commence par | ajoute ses étapes à la requête précédente et la relance :",
      "from communes, puis | where population > 10000",
    ],
    outro: [
      ".help SUJET pour le détail et un exemple, par ex. .help aggregate ; .help stages (ou statements,",
      "functions, aggregates, windows, commands) liste un groupe ; .lang en : English",
    ])
}
