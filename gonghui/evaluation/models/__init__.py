"""Models of evaluation: 建家评家 ratings and titles, surveys and satisfaction campaigns,
third-party scores and the yearly weighted score."""

from gonghui.evaluation.models.ratings import (
    Evidence,
    Grade,
    GradeThreshold,
    Item,
    ItemScore,
    Rating,
    RatingHistory,
    RatingStatus,
    RatingVeto,
    Scheme,
    Section,
    Title,
    TitleHistory,
    TitleStatus,
    VetoItem,
)
from gonghui.evaluation.models.scores import ScoreWeights, ThirdPartyScore
from gonghui.evaluation.models.surveys import (
    Answer,
    Answered,
    Invitation,
    Question,
    QuestionKind,
    Response,
    ResultCount,
    Survey,
    SurveyHistory,
    SurveyKind,
    SurveyStatus,
)

__all__ = [
    "Answer", "Answered", "Evidence", "Grade", "GradeThreshold", "Invitation", "Item",
    "ItemScore", "Question", "QuestionKind", "Rating", "RatingHistory", "RatingStatus",
    "RatingVeto", "Response", "ResultCount", "Scheme", "ScoreWeights", "Section", "Survey", "SurveyHistory",
    "SurveyKind", "SurveyStatus", "ThirdPartyScore", "Title", "TitleHistory", "TitleStatus",
    "VetoItem",
]
