Attribute VB_Name = "KinerjaExcel"
Option Explicit
'
' The add-in's few touches of Excel itself (and of the xlwings add-in), kept in one module so
' that the rest runs unchanged wherever VBA runs (the tests run it in LibreOffice's VBA mode,
' with this module replaced by one that does the same things there).

Private Const XLWINGS_RUNPYTHON As String = "'xlwings.xlam'!RunPython"
Private Const TITLE As String = "Kinerja"
Private Const FOLDER_PICKER As Long = 4 ' msoFileDialogFolderPicker

' Run Python code through the xlwings add-in (Application.Run: no VBA reference to set).
Public Sub RunPythonCommand(pythonCode As String)
    On Error GoTo NoXlwings
    Application.Run XLWINGS_RUNPYTHON, pythonCode
    Exit Sub
NoXlwings:
    ShowMessage "Python tidak dapat dijalankan lewat add-in xlwings (" & Err.Description & _
        "). Minta petugas TI memasang xlwings dan menjalankan 'kinerja excel-setup' " & _
        "(lihat macros/README.md, bagian Pemasangan).", True
End Sub

' Save a copy of the workbook as it is now; the open workbook keeps its own name and place.
Public Sub SaveWorkbookCopy(book As Object, path As String)
    book.SaveCopyAs path
End Sub

Public Sub ShowMessage(messageText As String, Optional critical As Boolean = False)
    If critical Then
        MsgBox messageText, vbCritical, TITLE
    Else
        MsgBox messageText, vbInformation, TITLE
    End If
End Sub

Public Function AskYesNo(question As String, heading As String) As Boolean
    AskYesNo = (MsgBox(question, vbYesNo + vbQuestion, TITLE & " - " & heading) = vbYes)
End Function

' A folder chosen by the user, or "" when cancelled. macOS Excel has no folder picker dialog
' object that works in every version, so the path is typed there.
Public Function PickFolder(startAt As String) As String
    Dim typed As String
    If IsWindows() Then
        With Application.FileDialog(FOLDER_PICKER)
            .Title = "Pilih folder kerja kinerja di folder bersama"
            .AllowMultiSelect = False
            If Len(startAt) > 0 Then .InitialFileName = startAt
            If .Show = -1 Then PickFolder = .SelectedItems(1)
        End With
    Else
        typed = InputBox("Ketik jalur folder kerja kinerja di folder bersama:", TITLE, startAt)
        PickFolder = Trim$(typed)
    End If
End Function
