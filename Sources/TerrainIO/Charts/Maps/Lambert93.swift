// The Lambert-93 projection (RGF93, IGNF:LAMB93), the one French maps use: a Lambert conic
// conformal projection with two standard parallels, on the GRS 80 ellipsoid. The formulas are
// the public ones of the IGN's notes on conic conformal projections (NTG 71) and of Snyder's
// "Map Projections — A Working Manual" (USGS 1987, §15): isometric latitude, cone constant from
// the two standard parallels, radius of the parallel, then easting and northing.

import Foundation

/// A point of a map: easting and northing in metres (Lambert-93), or any planar coordinates.
package struct MapPoint: Sendable, Equatable {
  package var x: Double
  package var y: Double

  package init(x: Double, y: Double) {
    self.x = x
    self.y = y
  }
}

/// Lambert-93: GRS 80 (a = 6 378 137 m, 1/f = 298.257222101), standard parallels 44° N and
/// 49° N, origin 46.5° N 3° E at (700 000 m, 6 600 000 m).
package struct Lambert93: Sendable {
  private let e: Double
  private let n: Double
  private let c: Double
  private let rho0: Double
  private let lambda0: Double
  private let x0 = 700_000.0
  private let y0 = 6_600_000.0

  package init() {
    let a = 6_378_137.0
    let f = 1 / 298.257222101
    let e = (f * (2 - f)).squareRoot()
    let phi1 = 44.0 * .pi / 180
    let phi2 = 49.0 * .pi / 180
    let phi0 = 46.5 * .pi / 180
    func m(_ phi: Double) -> Double { cos(phi) / (1 - e * e * sin(phi) * sin(phi)).squareRoot() }
    func t(_ phi: Double) -> Double {
      tan(.pi / 4 - phi / 2) / pow((1 - e * sin(phi)) / (1 + e * sin(phi)), e / 2)
    }
    let n = (log(m(phi1)) - log(m(phi2))) / (log(t(phi1)) - log(t(phi2)))
    let bigF = m(phi1) / (n * pow(t(phi1), n))
    self.e = e
    self.n = n
    self.c = a * bigF
    self.rho0 = a * bigF * pow(t(phi0), n)
    self.lambda0 = 3.0 * .pi / 180
  }

  /// The Lambert-93 point of a longitude and latitude in degrees (RGF93 ≈ WGS 84 to a metre).
  package func project(longitude: Double, latitude: Double) -> MapPoint {
    let phi = max(-89.9, min(89.9, latitude)) * .pi / 180
    let lambda = longitude * .pi / 180
    let t = tan(.pi / 4 - phi / 2) / pow((1 - e * sin(phi)) / (1 + e * sin(phi)), e / 2)
    let rho = c * pow(t, n)
    let theta = n * (lambda - lambda0)
    return MapPoint(x: x0 + rho * sin(theta), y: y0 + rho0 - rho * cos(theta))
  }
}
