// swift-tools-version:6.0
// libFuzzer targets for terrain (see ../FUZZING.md). A separate package so that the main
// build and `swift test` never see the fuzzer flags. Build with `./run` (it passes
// `-sanitize=fuzzer`, and `-sanitize=address` for the ASan runs).
import PackageDescription

let fuzzFlags: [SwiftSetting] = [.swiftLanguageMode(.v5), .unsafeFlags(["-parse-as-library"])]

let package = Package(
  name: "terrain-fuzz",
  platforms: [.macOS(.v15)],
  dependencies: [.package(name: "terrain", path: "..")],
  targets: [
    .executableTarget(
      name: "FuzzParser",
      dependencies: [
        .product(name: "TerrainSyntax", package: "terrain"), .product(name: "TerrainPlanner", package: "terrain"),
      ],
      swiftSettings: fuzzFlags),
    .executableTarget(
      name: "FuzzSession",
      dependencies: [.product(name: "TerrainEngine", package: "terrain"), .product(name: "TerrainShell", package: "terrain")],
      swiftSettings: fuzzFlags),
    .executableTarget(
      name: "FuzzCSV", dependencies: [.product(name: "TerrainIO", package: "terrain")],
      swiftSettings: fuzzFlags),
    .executableTarget(
      name: "FuzzXLSX", dependencies: [.product(name: "TerrainIO", package: "terrain")],
      swiftSettings: fuzzFlags),
    .executableTarget(
      name: "FuzzArrow", dependencies: [.product(name: "TerrainIO", package: "terrain")],
      swiftSettings: fuzzFlags),
    .executableTarget(
      name: "FuzzContainers", dependencies: [.product(name: "TerrainIO", package: "terrain")],
      swiftSettings: fuzzFlags),
    .executableTarget(
      name: "FuzzParquet", dependencies: [.product(name: "TerrainIO", package: "terrain")],
      swiftSettings: fuzzFlags),
  ]
)
