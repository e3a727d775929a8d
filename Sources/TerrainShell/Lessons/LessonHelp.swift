// `.help lessons`: how lesson files are written and used.

/// The help topic on lessons (listed in `helpTopics`).
package let lessonsHelp = HelpTopic(
  name: "lessons", kind: "topic", synopsis: "terrain --lesson FILE · .lesson FILE · .check · .hint · .solution · .next",
  text: """
    A lesson file holds exercises, each a title, any number of hints and one solution: \
    `exercise "Les EPCI de plus de 100 000 habitants"`, then `hint "filtrez avec where"` lines, then \
    `solution from epci | where population > 100000 | aggregate n = count()` (the solution goes on over \
    the next lines until a blank line or the next `exercise`, `hint` or `solution`). Lines starting with `#` are \
    comments; statements before the first exercise (`pilots …`, `let …`, `load …`) prepare the lesson and run \
    when it opens. `.lesson FILE` (or `terrain --lesson FILE`) opens it at the exercise where you left it; you \
    type pipelines, and `.check` compares your last result with the solution's: columns by position (names do \
    not matter), rows in any order unless the solution sorts, numbers equal within 1e-9 relative. It answers \
    ✓, or shows what differs: a wrong number of columns, the missing rows, the extra rows, the differing cells. \
    `.hint` shows the next hint, `.solution` the solution, `.next` moves on. Progress is kept in the state \
    folder ($XDG_STATE_HOME/terrain/lessons.json, else ~/.terrain_lessons.json).
    """,
  example: "from epci | where population > 100000 | aggregate n = count()")
