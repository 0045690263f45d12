Attribute VB_Name = "BeianButtons"
' beian: the workbook's buttons. Each macro runs one Python function in pyaddin.buttons
' through xlwings. Edit pyaddin/excel/vba/BeianButtons.bas and run: beian build-workbook
Option Explicit

Sub ValidateTracker()
    RunPython "import pyaddin.buttons; pyaddin.buttons.validate_tracker()"
End Sub

Sub FlagDeadlines()
    RunPython "import pyaddin.buttons; pyaddin.buttons.flag_deadlines()"
End Sub

Sub GenerateDocuments()
    RunPython "import pyaddin.buttons; pyaddin.buttons.generate_documents()"
End Sub

Sub BuildArchiveIndex()
    RunPython "import pyaddin.buttons; pyaddin.buttons.build_archive_index()"
End Sub

Sub PrecheckMaterials()
    RunPython "import pyaddin.buttons; pyaddin.buttons.precheck_materials()"
End Sub

Sub WeeklyReport()
    RunPython "import pyaddin.buttons; pyaddin.buttons.weekly_report()"
End Sub

Sub CheckAll()
    RunPython "import pyaddin.buttons; pyaddin.buttons.check_all()"
End Sub

Sub SendReminders()
    RunPython "import pyaddin.buttons; pyaddin.buttons.send_reminders()"
End Sub

Sub ExportCalendar()
    RunPython "import pyaddin.buttons; pyaddin.buttons.export_calendar()"
End Sub

Sub Diagnose()
    RunPython "import pyaddin.buttons; pyaddin.buttons.diagnose()"
End Sub

Sub ReuseSelected()
    RunPython "import pyaddin.buttons; pyaddin.buttons.reuse_selected()"
End Sub

Sub RulesChanges()
    RunPython "import pyaddin.buttons; pyaddin.buttons.rules_changes()"
End Sub
