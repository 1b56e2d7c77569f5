"""The course engine: questions and grading, views, progress, lessons, exam mode, results and the class report."""
