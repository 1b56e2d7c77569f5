"""Interactive demos of the lessons: widgets over the pure models and rules in course/."""
