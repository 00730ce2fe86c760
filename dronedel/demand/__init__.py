"""Synthetic demand and weather for studies: order days from a spatial density, a time-of-day
profile and package weights; a day's hourly wind and no-fly hours from a climate or observations.

:func:`order_day` draws an :class:`~dronedel.orders.OrderBook` that :func:`write_orders` writes as
the orders CSV the planner reads; :class:`Climate` and :class:`Observations` draw a
:class:`WeatherDay`, whose :meth:`~WeatherDay.schedule` and :meth:`~WeatherDay.no_fly_intervals`
feed :class:`~dronedel.simulate.SimOptions`.
"""

from .day import DemandModel, order_day, write_orders
from .density import (
    Cluster, Clusters, DemandArea, Density, RasterDensity, Uniform, WeightedPoints, read_density, sample_doors,
)
from .profile import DEFAULT_HOURLY, PackageWeights, TimeProfile
from .weather import MIN_VISIBILITY_M, Climate, MonthClimate, Observations, WeatherDay, read_climate, read_observations

__all__ = [
    "DemandModel", "order_day", "write_orders", "DemandArea", "Density", "Uniform", "Cluster", "Clusters",
    "WeightedPoints", "RasterDensity", "read_density", "sample_doors", "TimeProfile", "PackageWeights",
    "DEFAULT_HOURLY", "WeatherDay", "Climate", "MonthClimate", "Observations", "read_climate", "read_observations",
    "MIN_VISIBILITY_M",
]
