"""Sending a participant their questionnaire: ``POST /api/v1/participations/{id}/questionnaires/``."""

from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from courses.selectors.participations import participations_visible_to
from courses.services.questionnaires import questionnaire_send
from school.choices import Role
from school.models import Participation, Questionnaire, QuestionnaireKind
from school.permissions import RolePermission, request_user


class QuestionnaireSendSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=QuestionnaireKind.choices)


class QuestionnaireSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()
    # Named like DRF's own Field.source attribute, hence the ignore; a plain string in the
    # schema, since it is empty until the questionnaire is answered.
    source = serializers.CharField(  # type: ignore[assignment]
        read_only=True, help_text="`participant` or `paper` once answered; empty before."
    )

    class Meta:
        model = Questionnaire
        fields = [
            "id", "participation", "kind", "exit", "sent_on", "times_sent", "closes_on",
            "reminders_sent", "answered_at", "source", "late", "status",
        ]  # fmt: skip
        read_only_fields = fields

    def get_status(self, questionnaire: Questionnaire) -> str:
        """``answered``, ``open`` or ``closed``."""
        if questionnaire.answered:
            return "answered"
        today = self.context["today"]
        return "closed" if questionnaire.closed_on(today) else "open"


class ParticipationQuestionnaireView(GenericAPIView):
    """Send the participant the link to their entry, exit or follow-up questionnaire by SMS or
    e-mail, in their language (again, if sent before). 409 when it does not apply: the answers
    are given, there is no exit yet, the follow-up is not due, or it closed."""

    queryset = Participation.objects.none()
    serializer_class = QuestionnaireSendSerializer
    permission_classes = [RolePermission]
    read_roles: tuple[str, ...] = ()
    write_roles = (Role.COORDINATOR,)

    @extend_schema(request=QuestionnaireSendSerializer, responses={202: QuestionnaireSerializer})
    def post(self, request: Request, pk: int, *args: Any, **kwargs: Any) -> Response:
        user = request_user(request)
        participation = get_object_or_404(
            participations_visible_to(user=user).select_related("operation__school"), pk=pk
        )
        serializer = QuestionnaireSendSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        questionnaire = questionnaire_send(
            participation=participation,
            kind=serializer.validated_data["kind"],
            by=user,
            base_url=_site(request),
        )
        today = participation.operation.school.today()
        return Response(
            QuestionnaireSerializer(questionnaire, context={"today": today}).data,
            status=status.HTTP_202_ACCEPTED,
        )


def _site(request: Request) -> str:
    from django.conf import settings

    return settings.SITE_URL.rstrip("/") or request.build_absolute_uri("/").rstrip("/")
