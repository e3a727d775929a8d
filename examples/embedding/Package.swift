// swift-tools-version:6.0
// A program that embeds terrain: it depends on the TerrainEngine library of the package two
// folders up, as any other package would (by URL instead of path). The tests build and run it
// (EmbeddingTests); by hand: `swift run --package-path examples/embedding`.
import PackageDescription

let package = Package(
  name: "embedding",
  platforms: [.macOS(.v15)],
  dependencies: [.package(name: "terrain", path: "../..")],
  targets: [
    .executableTarget(
      name: "embedding",
      dependencies: [.product(name: "TerrainEngine", package: "terrain")]
    )
  ]
)
