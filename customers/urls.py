"""URLs of the customers app: customers and meter assignment."""

from django.urls import path

from customers import views

app_name = "customers"
urlpatterns = [
    path("customers/", views.customer_list, name="list"),
    path("customers/new/", views.customer_new, name="new"),
    path("customers/new/field/", views.customer_new_field, name="new_field"),
    path("customers/<int:pk>/", views.customer_detail, name="detail"),
    path("customers/<int:pk>/field/<str:field>/", views.customer_field, name="field"),
    path("customers/<int:pk>/terminate/", views.customer_terminate, name="terminate"),
    path("customers/<int:pk>/delete/", views.customer_delete, name="delete"),
    path("customers/<int:pk>/assign-meter/", views.assign_meter, name="assign_meter"),
]
