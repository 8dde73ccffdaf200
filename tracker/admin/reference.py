"""Reference data: processes, forums and their roundtables, actors, themes, documents and framework
objectives. Everyone with a role may view them; only the secretariat may change them."""

from django.contrib import admin

from tracker.models import Actor, Document, Forum, FrameworkObjective, Process, Roundtable, Theme

from .common import SecretariatOnlyMixin
from .translations import TranslationAdminMixin


@admin.register(Process)
class ProcessAdmin(TranslationAdminMixin, SecretariatOnlyMixin, admin.ModelAdmin):
    list_display = ["acronym", "name", "kind", "established", "order"]
    list_filter = ["kind"]
    search_fields = ["acronym", "name", "slug"]
    prepopulated_fields = {"slug": ["acronym"]}


class RoundtableInline(SecretariatOnlyMixin, admin.TabularInline):
    model = Roundtable
    fields = ["order", "code", "title", "slug", "parent"]
    extra = 0
    show_change_link = True

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "parent":
            forum_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Roundtable.objects.filter(forum_id=forum_id) if forum_id else Roundtable.objects.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Forum)
class ForumAdmin(TranslationAdminMixin, SecretariatOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "process", "city", "country", "start_date", "end_date"]
    list_filter = ["process"]
    list_select_related = ["process"]
    search_fields = ["title", "slug", "city", "country", "host"]
    autocomplete_fields = ["documents"]
    date_hierarchy = "start_date"
    inlines = [RoundtableInline]


@admin.register(Roundtable)
class RoundtableAdmin(TranslationAdminMixin, SecretariatOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "forum", "parent", "order"]
    list_filter = ["forum"]
    list_select_related = ["forum", "parent"]
    search_fields = ["title", "code", "slug", "forum__title"]
    autocomplete_fields = ["forum", "parent"]


@admin.register(Actor)
class ActorAdmin(TranslationAdminMixin, SecretariatOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "country_code"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Theme)
class ThemeAdmin(TranslationAdminMixin, SecretariatOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Document)
class DocumentAdmin(TranslationAdminMixin, SecretariatOnlyMixin, admin.ModelAdmin):
    list_display = ["title", "symbol", "date", "publisher"]
    search_fields = ["title", "symbol", "slug"]
    date_hierarchy = "date"


@admin.register(FrameworkObjective)
class FrameworkObjectiveAdmin(TranslationAdminMixin, SecretariatOnlyMixin, admin.ModelAdmin):
    list_display = ["short_label", "title", "framework"]
    list_filter = ["framework"]
    search_fields = ["title", "number", "slug"]
