from django.urls import path

from school.api.accounts import MeView, TeacherListView, TokenView
from school.calendar_feed import MyCalendarView

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("me/calendar.ics", MyCalendarView.as_view(), name="api-me-calendar"),
    path("teachers/", TeacherListView.as_view(), name="api-teachers"),
]
