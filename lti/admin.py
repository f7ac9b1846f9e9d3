"""Admin for platform registrations, keys (read-only secrets) and launches (read only)."""

from django.contrib import admin

from .models import Deployment, Launch, Platform, ToolKey


class DeploymentInline(admin.TabularInline):
    model = Deployment
    extra = 1


@admin.register(Platform)
class PlatformAdmin(admin.ModelAdmin):
    list_display = ["name", "issuer", "client_id"]
    search_fields = ["name", "issuer", "client_id"]
    inlines = [DeploymentInline]


@admin.register(ToolKey)
class ToolKeyAdmin(admin.ModelAdmin):
    list_display = ["kid", "created", "signs_from", "retires_at"]
    fields = ["kid", "public_jwk", "created", "signs_from", "retires_at"]  # never the private key
    readonly_fields = ["kid", "public_jwk", "created", "signs_from"]

    def has_add_permission(self, request):
        return False  # keys come from temis_lti_rotate_keys

    def has_delete_permission(self, request, obj=None):
        # Platforms may still verify what a key signed: withdraw one by setting when it retires.
        return False


@admin.register(Launch)
class LaunchAdmin(admin.ModelAdmin):
    """Launches are made by platforms and deleted by temis_lti_expire and retirement: shown read only."""

    list_display = ["id", "platform", "message_type", "created", "expires"]
    readonly_fields = [f.name for f in Launch._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
