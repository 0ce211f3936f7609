"""The built-in "quiz" activity: seven question types, feedback, shuffling, attempts and a pass mark."""
from lms.activities.quiz.activity import QuizActivity

__all__ = ["QuizActivity"]
