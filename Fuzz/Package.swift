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
    // Every target in one executable: `FuzzTerrain TARGET [libFuzzer arguments…]` (Driver.swift).
    .executableTarget(
      name: "FuzzTerrain",
      dependencies: [
        .product(name: "TerrainSyntax", package: "terrain"), .product(name: "TerrainPlanner", package: "terrain"),
        .product(name: "TerrainIO", package: "terrain"), .product(name: "TerrainEngine", package: "terrain"),
        .product(name: "TerrainShell", package: "terrain"),
      ],
      swiftSettings: fuzzFlags),
  ]
)
