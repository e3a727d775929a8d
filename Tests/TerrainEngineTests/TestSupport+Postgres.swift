// The PostgreSQL server of the tests: `scripts/pg-test-cluster start` (which `.ci/run` runs)
// exports its connection string as TERRAIN_TEST_PG.

import Foundation
import XCTest
import TerrainPostgres

extension TestSupport {
  /// The connection string of the test server (`$TERRAIN_TEST_PG`, as
  /// `scripts/pg-test-cluster start` prints it), or an `XCTSkip` that says how to start one.
  static func postgres() throws -> String {
    guard let conninfo = ProcessInfo.processInfo.environment["TERRAIN_TEST_PG"], !conninfo.isEmpty else {
      throw XCTSkip("no PostgreSQL test server (eval \"$(scripts/pg-test-cluster start)\" sets TERRAIN_TEST_PG): skipping")
    }
    return conninfo
  }

  /// A second connection to the test server, for setting up and checking from outside the session.
  static func postgresAdmin() throws -> PostgresConnection {
    try PostgresConnection(conninfo: postgres())
  }

  /// The value of `key` in a key/value connection string (`host`, `port`, `dbname`, `user`).
  static func conninfoValue(_ conninfo: String, _ key: String) -> String? {
    for part in conninfo.split(separator: " ") where part.hasPrefix(key + "=") {
      return String(part.dropFirst(key.count + 1))
    }
    return nil
  }
}
