import TerrainEngine
print("terrain")
