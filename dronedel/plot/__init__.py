"""Maps and charts (matplotlib). Axes use WGS84 longitude/latitude degrees; see basemap."""
