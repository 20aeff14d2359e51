"""URLs of the message pages, under the school like every other school page."""

from django.urls import path

from aanwezig.notifications import views

urlpatterns = [
    path("s/<int:school_id>/leerlingen/<int:pk>/berichten/", views.student_messages,
         name="student_messages"),
    path("s/<int:school_id>/ouders/<int:pk>/berichten/", views.guardian_messages,
         name="guardian_messages"),
    path("s/<int:school_id>/bereik/", views.reach, name="reach"),
    path("s/<int:school_id>/berichten/voorbeeld/", views.message_preview, name="message_preview"),
    path("s/<int:school_id>/brieven/", views.letter_batches, name="letter_batches"),
    path("s/<int:school_id>/brieven/<int:pk>/pdf/", views.letter_batch_pdf,
         name="letter_batch_pdf"),
    path("s/<int:school_id>/antwoorden/<int:pk>/afgehandeld/", views.reply_handled,
         name="reply_handled"),
]
