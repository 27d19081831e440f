"""The courses API: cycles, lessons, enrollments, students, closures and placements."""
