"""Lesson 02, building a car: its model, figures and demos."""
