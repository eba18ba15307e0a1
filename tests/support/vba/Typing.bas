Option Explicit
' Types into a workbook the way a clerk does: each value goes through Calc's own input line
' (.uno:EnterString), so the profile's locale decides what "34%", "83,9" or "1.200" become.
' The job file named by $KINERJA_UJI_JOB has lines WORKBOOK=path, OUTPUT=path, LOG=path and
' CELL=A1|text (repeated). The workbook is saved as .xlsx at OUTPUT.

Private typingLog As String

Sub Note(message As String)
    Dim fileNumber As Integer
    fileNumber = FreeFile
    Open typingLog For Append As #fileNumber
    Print #fileNumber, message
    Close #fileNumber
End Sub

Sub TypeJob
    Dim jobLines() As String, oneLine As String, index As Integer, position As Integer
    Dim key As String, valueText As String, workbookPath As String, outputPath As String
    Dim loadArgs(0) As New com.sun.star.beans.PropertyValue
    Dim saveArgs(0) As New com.sun.star.beans.PropertyValue
    Dim jump(0) As New com.sun.star.beans.PropertyValue
    Dim typed(0) As New com.sun.star.beans.PropertyValue
    Dim doc As Object, frame As Object, helper As Object, parts() As String
    jobLines = Split(ReadAll(Environ("KINERJA_UJI_JOB")), Chr(10))  ' ReadAll: Harness.bas
    For index = LBound(jobLines) To UBound(jobLines)
        oneLine = jobLines(index)
        position = InStr(oneLine, "=")
        If position > 0 Then
            key = Left(oneLine, position - 1)
            valueText = Mid(oneLine, position + 1)
            If key = "WORKBOOK" Then workbookPath = valueText
            If key = "OUTPUT" Then outputPath = valueText
            If key = "LOG" Then typingLog = valueText
        End If
    Next index
    On Error GoTo Failed
    loadArgs(0).Name = "Hidden"
    loadArgs(0).Value = True
    doc = StarDesktop.loadComponentFromURL(ConvertToURL(workbookPath), "_blank", 0, loadArgs())
    frame = doc.getCurrentController().getFrame()
    helper = createUnoService("com.sun.star.frame.DispatchHelper")
    For index = LBound(jobLines) To UBound(jobLines)
        oneLine = jobLines(index)
        If Left(oneLine, 5) = "CELL=" Then
            parts = Split(Mid(oneLine, 6), "|")
            jump(0).Name = "ToPoint"
            jump(0).Value = parts(0)
            helper.executeDispatch(frame, ".uno:GoToCell", "", 0, jump())
            typed(0).Name = "StringName"
            typed(0).Value = parts(1)
            helper.executeDispatch(frame, ".uno:EnterString", "", 0, typed())
            Note "TYPED " & parts(0) & " " & parts(1)
        End If
    Next index
    saveArgs(0).Name = "FilterName"
    saveArgs(0).Value = "Calc MS Excel 2007 XML"
    doc.storeToURL(ConvertToURL(outputPath), saveArgs())
    Note "SAVED"
    doc.close(True)
    Exit Sub
Failed:
    Note "ERROR " & Err & ": " & Error$ & " (line " & Erl & ")"
    If Not IsNull(doc) And Not IsEmpty(doc) Then doc.close(True)
End Sub
