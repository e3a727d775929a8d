// swift-tools-version:6.0
import PackageDescription

let package = Package(
  name: "terrain",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "terrain", targets: ["terrain"]),
    .library(name: "TerrainEngine", targets: ["TerrainEngine"]),
    .library(name: "TerrainShell", targets: ["TerrainShell"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
  ],
  targets: [
    .target(
      name: "TerrainEngine",
      swiftSettings: [
        .swiftLanguageMode(.v5),
        // Kernels index raw buffers in tight loops; the runtime exclusivity checks on class
        // fields cost more than the work there (seen in perf as swift_beginAccess).
        .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
      ]
    ),
    .target(
      name: "TerrainShell",
      dependencies: ["TerrainEngine"],
      swiftSettings: [.swiftLanguageMode(.v5)]
    ),
    .systemLibrary(
      name: "CReadline",
      pkgConfig: "readline",
      providers: [.apt(["libreadline-dev"]), .brew(["readline"])]
    ),
    .executableTarget(
      name: "terrain",
      dependencies: [
        "TerrainEngine",
        "TerrainShell",
        "CReadline",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: [.swiftLanguageMode(.v5)]
    ),
    .testTarget(
      name: "TerrainEngineTests",
      dependencies: ["TerrainEngine", "TerrainShell"],
      // Golden scripts and their data are read in place by the tests.
      exclude: ["Golden"],
      swiftSettings: [.swiftLanguageMode(.v5)]
    ),
  ]
)
