// swift-tools-version:6.0
import PackageDescription

// Modules, lowest first; each imports only those before it (the compiler enforces the
// direction). ARCHITECTURE.md describes each one.
//   TerrainStorage   columns, dictionaries, tables
//   TerrainSyntax    lexer, parser, AST, spans, diagnostics
//   TerrainIO        file formats (a registry: CSV, xlsx, Arrow, Parquet…), renderers, export writers
//   TerrainPlanner   binding, types, plans; the stages (grammar and planning, `Grammar.terrain`)
//   TerrainExecution expression compiler, kernels, operators
//   TerrainFunctions the scalar, aggregate and window functions: one definition each (binding, kernel, help)
//   TerrainPostgres  PostgreSQL through libpq (CLibPQ): connection, COPY binary in and out, catalog
//   TerrainSQL       a plan lowered to one PostgreSQL statement (beside execution: it reads plans only)
//   TerrainEngine    the session: catalog, statements, pilots (the embeddable façade)
//   TerrainShell     the shell's logic: dot commands, help, the interactive loop, completion, multi-line statements
//   terrain          the executable: readline, signals, arguments
// ZIPFoundation reads and writes zip archives (zip files, xlsx workbooks); on Linux it brings
// zlib as the module `CZlib` (Debian's zlib1g-dev), which TerrainIO also uses for gzip.
// CZstd, CSnappy and CLZ4 are Debian's zstd, snappy and lz4 (the codecs of Parquet pages).
// CVectorKernels holds the few float kernels that need AVX2 to be fast (with a baseline twin).
// CLibPQ is Debian's libpq-dev (PostgreSQL's client library, for `attach`).
let language: [SwiftSetting] = [.swiftLanguageMode(.v5)]

let package = Package(
  name: "terrain",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "terrain", targets: ["terrain"]),
    .library(name: "TerrainEngine", targets: ["TerrainEngine"]),
    .library(name: "TerrainSyntax", targets: ["TerrainSyntax"]),
    .library(name: "TerrainIO", targets: ["TerrainIO"]),
    .library(name: "TerrainPlanner", targets: ["TerrainPlanner"]),
    .library(name: "TerrainShell", targets: ["TerrainShell"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/weichsel/ZIPFoundation", exact: "0.9.20"),
  ],
  targets: [
    .target(name: "TerrainStorage", swiftSettings: language),
    .target(name: "TerrainSyntax", swiftSettings: language),
    .target(
      name: "TerrainIO",
      dependencies: [
        "TerrainStorage", "TerrainSyntax", "CZstd", "CSnappy", "CLZ4",
        .product(name: "ZIPFoundation", package: "ZIPFoundation"),
      ],
      swiftSettings: language),
    // Compression codecs of Parquet pages (Debian's libraries, installed by .ci/run).
    .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"]), .brew(["zstd"])]),
    .systemLibrary(name: "CSnappy", providers: [.apt(["libsnappy-dev"]), .brew(["snappy"])]),
    .systemLibrary(name: "CLZ4", pkgConfig: "liblz4", providers: [.apt(["liblz4-dev"]), .brew(["lz4"])]),
    .target(
      name: "TerrainPlanner", dependencies: ["TerrainStorage", "TerrainSyntax", "TerrainIO"], swiftSettings: language),
    // Float kernels compiled for baseline x86-64 and for AVX2, chosen at run time (C: Swift has
    // no per-function target features).
    // DWARF 4 debug information: Debian's valgrind 3.19 cannot read the DWARF 5 forms clang
    // writes by default for C, and gives up on the whole binary.
    .target(name: "CVectorKernels", cSettings: [.unsafeFlags(["-gdwarf-4"])]),
    .target(
      name: "TerrainExecution", dependencies: ["TerrainStorage", "TerrainSyntax", "TerrainPlanner", "CVectorKernels"],
      swiftSettings: language),
    .target(
      name: "TerrainFunctions", dependencies: ["TerrainStorage", "TerrainSyntax", "TerrainPlanner", "TerrainExecution"],
      swiftSettings: language),
    .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"]), .brew(["libpq"])]),
    .target(
      name: "TerrainPostgres", dependencies: ["TerrainStorage", "TerrainSyntax", "TerrainIO", "CLibPQ"], swiftSettings: language),
    .target(
      name: "TerrainSQL", dependencies: ["TerrainStorage", "TerrainSyntax", "TerrainPlanner"], swiftSettings: language),
    .target(
      name: "TerrainEngine",
      dependencies: [
        "TerrainStorage", "TerrainSyntax", "TerrainIO", "TerrainPlanner", "TerrainExecution", "TerrainFunctions", "TerrainSQL",
        "TerrainPostgres",
      ],
      swiftSettings: language),
    .target(
      name: "TerrainShell", dependencies: ["TerrainSyntax", "TerrainIO", "TerrainPlanner", "TerrainFunctions", "TerrainEngine"],
      swiftSettings: language),
    .systemLibrary(
      name: "CReadline",
      pkgConfig: "readline",
      providers: [.apt(["libreadline-dev"]), .brew(["readline"])]
    ),
    .executableTarget(
      name: "terrain",
      dependencies: [
        "TerrainStorage",
        "TerrainSyntax",
        "TerrainIO",
        "TerrainEngine",
        "TerrainShell",
        "CReadline",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: language
    ),
    .testTarget(
      name: "TerrainEngineTests",
      dependencies: [
        "TerrainStorage", "TerrainSyntax", "TerrainIO", "TerrainPlanner", "TerrainExecution", "TerrainFunctions",
        "TerrainEngine", "TerrainShell", "TerrainSQL", "TerrainPostgres", "CVectorKernels",
      ],
      // Golden scripts and their data are read in place by the tests.
      exclude: ["Golden"],
      swiftSettings: language
    ),
  ]
)
