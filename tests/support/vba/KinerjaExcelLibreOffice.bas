Option VBASupport 1
Option Explicit
' Stand-in for macros/KinerjaExcel.bas when the add-in's other modules run in LibreOffice's VBA
' mode: the same five procedures, doing there what Excel does. Each records what it did in
' $KINERJA_UJI_DIR/vba.log for the test to read.

Public Sub RunPythonCommand(pythonCode As String)
    ' The xlwings add-in's RunPython: run the Python code, waiting for it (as on Windows).
    Dim fileNumber As Integer
    fileNumber = FreeFile
    Open Environ("KINERJA_UJI_DIR") & "/python-code.txt" For Output As #fileNumber
    Print #fileNumber, pythonCode
    Close #fileNumber
    Record "PYTHON " & pythonCode
    Shell Environ("KINERJA_UJI_DIR") & "/run-python.sh", 0, "", True
End Sub

Public Sub SaveWorkbookCopy(book As Object, path As String)
    ' Excel's SaveCopyAs writes the workbook's own format (.xlsx); LibreOffice's writes the
    ' binary .xls format with a VBA project, so the copy is stored with the Excel 2007+ filter.
    Dim properties(0) As New com.sun.star.beans.PropertyValue
    properties(0).Name = "FilterName"
    properties(0).Value = "Calc MS Excel 2007 XML"
    ThisComponent.storeToURL(ConvertToURL(path), properties())
    Record "COPY " & book.Name & " -> " & path
End Sub

Public Sub ShowMessage(messageText As String, Optional critical As Boolean = False)
    If critical Then
        Record "MESSAGE critical " & Replace(messageText, Chr(10), " / ")
    Else
        Record "MESSAGE info " & Replace(messageText, Chr(10), " / ")
    End If
End Sub

Public Function AskYesNo(question As String, heading As String) As Boolean
    Record "ASK " & heading & ": " & Replace(question, Chr(10), " / ")
    AskYesNo = (Environ("KINERJA_UJI_ANSWER") <> "tidak")
End Function

Public Function PickFolder(startAt As String) As String
    Record "PICK " & startAt
    PickFolder = Environ("KINERJA_UJI_FOLDER")
End Function

Private Sub Record(entry As String)
    Dim fileNumber As Integer
    fileNumber = FreeFile
    Open Environ("KINERJA_UJI_DIR") & "/vba.log" For Append As #fileNumber
    Print #fileNumber, entry
    Close #fileNumber
End Sub
